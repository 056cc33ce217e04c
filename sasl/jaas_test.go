package sasl

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
)

func TestParseJAASConfig(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     JAASConfig
	}{
		{"plain", `org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="secret";`,
			JAASConfig{PlainLoginModule, "required", map[string]string{"username": "alice", "password": "secret"}}},
		{"scram, bare words, other flag case", `org.apache.kafka.common.security.scram.ScramLoginModule REQUIRED username=alice password=s3c.r-3t_$;`,
			JAASConfig{ScramLoginModule, "required", map[string]string{"username": "alice", "password": "s3c.r-3t_$"}}},
		{"escapes", `x.Y optional username="a\"b" password="c\\d\te\n\101\7" k='it\'s';`,
			JAASConfig{"x.Y", "optional", map[string]string{"username": `a"b`, "password": "c\\d\te\nA\a", "k": "it's"}}},
		{"no options, white space, comments", " \n x.Y /* note */ sufficient // the end\n ; ",
			JAASConfig{"x.Y", "sufficient", map[string]string{}}},
		{"repeated option, spaces around =, quotes inside", `x.Y requisite a = "1" a="2 ; = '";`,
			JAASConfig{"x.Y", "requisite", map[string]string{"a": "2 ; = '"}}},
		{"utf-8", `x.Y required username="jürgen" password="pässwörd";`,
			JAASConfig{"x.Y", "required", map[string]string{"username": "jürgen", "password": "pässwörd"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseJAASConfig(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got.LoginModule != tc.want.LoginModule || got.Flag != tc.want.Flag || !maps.Equal(got.Options, tc.want.Options) {
				t.Fatalf("got %#v\nwant %#v", got.Options, tc.want.Options)
			}
		})
	}
}

// Errors say where and what, and never show the password, even where the password is what makes
// the value malformed.
func TestParseJAASConfigErrors(t *testing.T) {
	const pw = "hunter2"
	for _, tc := range []struct {
		in     string
		offset int
		detail string
	}{
		{``, 0, "class name"},
		{`"quoted.Class" required;`, 0, "class name, found a quoted value"},
		{`x.Y`, 3, "control flag"},
		{`x.Y mandatory username="a";`, 4, "control flag"},
		{`x.Y required username="a" password="` + pw, 35, `option "password": the quoted value is not closed`},
		{`x.Y required username="a" password="` + pw + "\n\";", 35, `option "password": the quoted value is not closed`},
		{`x.Y required username="a" password=` + pw + `"`, 42, `want an option name or the closing ";", found an unclosed quote`},
		{`x.Y required username="a" password="` + pw + `"`, 44, `closing ";", found the end`},
		{`x.Y required username="a" password ` + pw + `;`, 35, `want "=" after an option name, found a word`},
		{`x.Y required username="a" password=;`, 35, `option "password": want a value`},
		{`x.Y required username="a" password="` + pw + `" extra;`, 50, `want "=" after an option name`},
		{`x.Y required username="a" password=` + pw + ` ` + pw + `;`, 50, `want "=" after an option name`},
		{`x.Y required password="` + pw + `" @;`, 32, "found a stray character"},
		{`x.Y required; y.Z required;`, 14, "exactly one login module"},
	} {
		_, err := ParseJAASConfig(tc.in)
		var je *JAASError
		if !errors.As(err, &je) || !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: got %v, want a *JAASError", tc.in, err)
			continue
		}
		if je.Offset != tc.offset || !strings.Contains(je.Detail, tc.detail) {
			t.Errorf("%q: got %v, want offset %d and %q", tc.in, err, tc.offset, tc.detail)
		}
		if strings.Contains(err.Error(), pw) {
			t.Errorf("%q: the error shows the password: %v", tc.in, err)
		}
	}
}

func TestJAASCredentials(t *testing.T) {
	for _, module := range []string{PlainLoginModule, ScramLoginModule} {
		cfg, err := ParseJAASConfig(module + ` required username="alice" password="secret";`)
		if err != nil {
			t.Fatal(err)
		}
		if u, p, err := cfg.Credentials(); u != "alice" || p != "secret" || err != nil {
			t.Fatalf("%s: %q %q %v", module, u, p, err)
		}
	}
	for _, tc := range []struct {
		in, detail string
		kind       error
	}{
		{`org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;`, "OAuthBearerLoginModule", ErrUnsupported},
		{PlainLoginModule + ` required password="secret";`, "no username option", ErrMalformed},
		{ScramLoginModule + ` required username="alice" password="";`, "no password option", ErrMalformed},
		{ScramLoginModule + ` required;`, "no username and no password", ErrMalformed},
	} {
		cfg, err := ParseJAASConfig(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = cfg.Credentials()
		if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.detail) || strings.Contains(err.Error(), "secret") {
			t.Errorf("%q: got %v, want %v with %q", tc.in, err, tc.kind, tc.detail)
		}
	}
}

func TestJAASConfigStringRedacts(t *testing.T) {
	cfg, err := ParseJAASConfig(PlainLoginModule + ` required username="al\"ice" password="secret" trustStorePassword=other;`)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{cfg.String(), fmt.Sprint(cfg), fmt.Sprintf("%v %+v %#v %s", *cfg, *cfg, *cfg, cfg)} {
		if strings.Contains(s, "secret") || strings.Contains(s, "other") {
			t.Fatalf("shows a password: %s", s)
		}
	}
	want := PlainLoginModule + ` required password="[redacted]" trustStorePassword="[redacted]" username="al\"ice";`
	if got := cfg.String(); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	// The redacted form parses back.
	if _, err := ParseJAASConfig(cfg.String()); err != nil {
		t.Fatal(err)
	}
}
