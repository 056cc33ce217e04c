package sasl

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The login modules whose sasl.jaas.config carries a user name and password. Either serves any of
// PLAIN and SCRAM here, as the Java client's PLAIN also works under ScramLoginModule.
const (
	PlainLoginModule = "org.apache.kafka.common.security.plain.PlainLoginModule"
	ScramLoginModule = "org.apache.kafka.common.security.scram.ScramLoginModule"
)

// JAASConfig is a parsed sasl.jaas.config value: one login module entry of Java's JAAS
// configuration syntax,
//
//	org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="s3cr=t";
//
// Its String method leaves the password out, so printing one is safe.
type JAASConfig struct {
	LoginModule string            // the login module's class name
	Flag        string            // the control flag, lower case: required, requisite, sufficient or optional
	Options     map[string]string // name=value options, values unquoted and unescaped; a repeated name keeps its last value
}

// JAASError is a sasl.jaas.config that does not parse, or names no user name and password. It
// says where and what is wrong, never what the password is.
type JAASError struct {
	Offset int    // byte offset in the value where the problem is, -1 for the value as a whole
	Detail string // what is wrong
	Kind   error  // ErrMalformed, or ErrUnsupported for a login module other than PLAIN's and SCRAM's
}

// Error formats the error as "sasl.jaas.config: offset N: DETAIL".
func (e *JAASError) Error() string {
	if e.Offset < 0 {
		return "sasl.jaas.config: " + e.Detail
	}
	return fmt.Sprintf("sasl.jaas.config: offset %d: %s", e.Offset, e.Detail)
}

// Unwrap returns the kind, for errors.Is.
func (e *JAASError) Unwrap() error { return e.Kind }

// jaasFlags are JAAS's control flags.
var jaasFlags = []string{"required", "requisite", "sufficient", "optional"}

// ParseJAASConfig parses a sasl.jaas.config value: a login module's class name, a control flag
// (any case), options NAME=VALUE, and a closing ";". Values are "double" or 'single' quoted, with
// Java's backslash escapes (\" \\ \n \t \r \b \f and octal), or bare words of letters, digits and
// ._$-. Comments (// to the end of the line, /* … */) are skipped, as Java's parser does. Kafka
// wants exactly one login module, and so does this parser.
func ParseJAASConfig(s string) (*JAASConfig, error) {
	lx := &jaasLexer{src: s}
	cfg := &JAASConfig{Options: make(map[string]string)}
	module := lx.next()
	if module.kind != tokWord {
		return nil, lx.errAt(module, "want the login module's class name")
	}
	cfg.LoginModule = module.text
	flag := lx.next()
	if flag.kind != tokWord || !slices.Contains(jaasFlags, strings.ToLower(flag.text)) {
		return nil, lx.errAt(flag, fmt.Sprintf("want a control flag (%s) after the login module", strings.Join(jaasFlags, ", ")))
	}
	cfg.Flag = strings.ToLower(flag.text)
	for {
		name := lx.next()
		if name.kind == tokSemicolon {
			break
		}
		if name.kind != tokWord {
			return nil, lx.errAt(name, "want an option name or the closing \";\"")
		}
		if eq := lx.next(); eq.kind != tokEquals {
			return nil, lx.errAt(eq, "want \"=\" after an option name")
		}
		value := lx.next()
		if value.kind == tokUnterminated {
			return nil, &JAASError{Offset: value.off, Detail: fmt.Sprintf("option %q: the quoted value is not closed", name.text), Kind: ErrMalformed}
		}
		if value.kind != tokWord && value.kind != tokQuoted {
			return nil, &JAASError{Offset: value.off, Detail: fmt.Sprintf("option %q: want a value after \"=\"", name.text), Kind: ErrMalformed}
		}
		cfg.Options[name.text] = value.text
	}
	if rest := lx.next(); rest.kind != tokEOF {
		return nil, &JAASError{Offset: rest.off, Detail: "more after the first login module's \";\" (Kafka takes exactly one login module)", Kind: ErrMalformed}
	}
	return cfg, nil
}

// Credentials returns the user name and password of a PLAIN or SCRAM login module: its username
// and password options, which must be there and not empty.
func (c *JAASConfig) Credentials() (user, password string, err error) {
	if c.LoginModule != PlainLoginModule && c.LoginModule != ScramLoginModule {
		return "", "", &JAASError{Offset: -1, Kind: ErrUnsupported,
			Detail: fmt.Sprintf("login module %q: kwire takes user names and passwords from %s or %s", c.LoginModule, PlainLoginModule, ScramLoginModule)}
	}
	var missing []string
	for _, name := range []string{"username", "password"} {
		if c.Options[name] == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return "", "", &JAASError{Offset: -1, Kind: ErrMalformed, Detail: fmt.Sprintf("%s: no %s option, or an empty one", c.LoginModule, strings.Join(missing, " and no "))}
	}
	return c.Options["username"], c.Options["password"], nil
}

// String formats the configuration as sasl.jaas.config syntax, options in name order, with the
// value of any option whose name contains "password" replaced by [redacted].
func (c JAASConfig) String() string {
	var b strings.Builder
	b.WriteString(c.LoginModule + " " + c.Flag)
	for _, name := range slices.Sorted(maps.Keys(c.Options)) {
		v := c.Options[name]
		if strings.Contains(strings.ToLower(name), "password") {
			v = "[redacted]"
		}
		fmt.Fprintf(&b, " %s=%s", name, quoteJAAS(v))
	}
	return b.String() + ";"
}

// GoString is String, so that %#v does not print the password either.
func (c JAASConfig) GoString() string { return "sasl.JAASConfig(" + c.String() + ")" }

// quoteJAAS quotes v for sasl.jaas.config.
func quoteJAAS(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(v) + `"`
}
