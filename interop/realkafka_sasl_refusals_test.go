package interop

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kwire-dev/kwire/producer"
	"github.com/kwire-dev/kwire/sasl"
)

// The refusals of the real broker's SASL_SSL listener (see realkafka_sasl_test.go): each must
// fail kwire's producer at once, with an error that names the mechanism, or TLS, and says what
// was refused. Every run sets max.block.ms to realRefusalMaxBlock and gives itself a deadline far
// below it, so a producer that waited for metadata instead of failing would miss the deadline.
// Connecting to a listener with the other's protocol is no refusal (see
// TestRealKafkaListenerMismatch), but must say so as clearly.

// realRefusalMaxBlock is max.block.ms for the refused runs: longer than any test runs.
const realRefusalMaxBlock = "600000"

// realRefusalDeadline bounds each refused run: 20 times less than max.block.ms.
const realRefusalDeadline = clientTimeout

// sha256OnlyUser has a SCRAM-SHA-256 credential and no other: the broker does not know it for
// SCRAM-SHA-512 (nor for PLAIN, whose users are in the listener's JAAS configuration).
const sha256OnlyUser = "kwire-sha-256-only"

// realRefusal is one refused configuration.
type realRefusal struct {
	name      string
	mechanism string // AuthenticationError.Mechanism: the SASL mechanism, or TLS
	want      string // in the error: what the broker or TLS said
	props     map[string]string
	flags     []string // for kwire produce, beside -b and -t
}

// what is how errors name the case's mechanism: SASL PLAIN, …, or TLS.
func (r realRefusal) what() string {
	if r.mechanism == "TLS" {
		return "TLS"
	}
	return "SASL " + r.mechanism
}

// realRefusals are the refusals of the shared broker, for its user and password and for
// sha256OnlyUser with otherPassword: a wrong password for each mechanism; sha256OnlyUser with
// SCRAM-SHA-512 and PLAIN; the CA not given (so the broker's certificate is not trusted); the
// certificate checked against a name it does not hold.
func realRefusals(k *kafkaCluster, wrongPassword, otherPassword string) []realRefusal {
	withProps := func(props map[string]string, extra ...string) map[string]string {
		props = maps.Clone(props)
		for i := 0; i < len(extra); i += 2 {
			props[extra[i]] = extra[i+1]
		}
		return props
	}
	var refusals []realRefusal
	for _, m := range sasl.Mechanisms() {
		want := "Authentication failed during authentication due to invalid credentials with SASL mechanism " + m
		if m == sasl.MechanismPlain {
			want = "Authentication failed: Invalid username or password"
		}
		refusals = append(refusals, realRefusal{
			name: "wrong password/" + m, mechanism: m, want: want,
			props: realSASLProps(k, m, k.Username, wrongPassword),
			flags: []string{"--tls-ca", k.CAFile, "--sasl-mechanism", m, "--sasl-user", k.Username + ":" + wrongPassword},
		})
	}
	for _, m := range []string{sasl.MechanismScramSHA512, sasl.MechanismPlain} {
		want := "Authentication failed during authentication due to invalid credentials with SASL mechanism " + m
		if m == sasl.MechanismPlain {
			want = "Authentication failed: Invalid username or password"
		}
		refusals = append(refusals, realRefusal{
			name: "user of SCRAM-SHA-256 only/" + m, mechanism: m, want: want,
			props: realSASLProps(k, m, sha256OnlyUser, otherPassword),
			flags: []string{"--tls-ca", k.CAFile, "--sasl-mechanism", m, "--sasl-user", sha256OnlyUser + ":" + otherPassword},
		})
	}
	noCA := withProps(realSASLProps(k, sasl.MechanismScramSHA512, k.Username, k.Password))
	delete(noCA, "ssl.truststore.type")
	delete(noCA, "ssl.truststore.location")
	refusals = append(refusals, realRefusal{
		name: "CA not given", mechanism: "TLS", want: "TLS authentication failed: the broker's certificate: x509: certificate signed by unknown authority",
		props: noCA,
		flags: []string{"--tls", "--sasl-mechanism", sasl.MechanismScramSHA512, "--sasl-user", k.Username + ":" + k.Password},
	})
	refusals = append(refusals, realRefusal{
		name: "another host name", mechanism: "TLS", want: "x509: certificate is valid for localhost, not kafka.example.com",
		props: withProps(realSASLProps(k, sasl.MechanismScramSHA512, k.Username, k.Password), "ssl.server.name", "kafka.example.com"),
		flags: []string{"--tls-ca", k.CAFile, "--sasl-mechanism", sasl.MechanismScramSHA512, "--sasl-user", k.Username + ":" + k.Password,
			"-X", "ssl.server.name=kafka.example.com"},
	})
	return refusals
}

// TestRealKafkaSASLSSLRefusals runs each of realRefusals with the Go API (SendSync) and with kwire
// produce. SendSync must return an *AuthenticationError with the case's mechanism and words
// (and, for refused credentials, errors.Is sasl.ErrAuthenticationFailed) before its deadline;
// kwire produce must exit non-zero by itself before its deadline, saying the same on stderr.
// No password, right or wrong, may show in the error, the commands' output or the producer's
// debug log. A positive control first shows that sha256OnlyUser does authenticate with
// SCRAM-SHA-256, so that its refusals are the mechanism's.
func TestRealKafkaSASLSSLRefusals(t *testing.T) {
	k := sharedKafka(t)
	bin := buildKwire(t)
	wrongPassword, otherPassword := "wrong-"+k.Password, "other-"+k.Password
	addScramCredential(t, k, sha256OnlyUser, otherPassword)
	topic := fmt.Sprintf("realkafka-sasl-refusals-%d", realSASLRun.Add(1))
	t.Run("control: user of SCRAM-SHA-256 only/SCRAM-SHA-256", func(t *testing.T) {
		authenticateEventually(t, realSASLProps(k, sasl.MechanismScramSHA256, sha256OnlyUser, otherPassword), topic)
	})
	secrets := []string{k.Password, wrongPassword, otherPassword}
	for _, r := range realRefusals(k, wrongPassword, otherPassword) {
		t.Run(r.name+"/go", func(t *testing.T) {
			var log lockedBuffer
			p := newRealProducer(t, withMaxBlock(r.props), &log)
			ctx, cancel := context.WithTimeout(context.Background(), realRefusalDeadline)
			defer cancel()
			start := time.Now()
			_, err := p.SendSync(ctx, &producer.Record{Topic: topic, Value: []byte("refused")})
			took := time.Since(start)
			var ae *producer.AuthenticationError
			switch {
			case ctx.Err() != nil:
				t.Fatalf("SendSync waited for its deadline (%v) instead of failing: %v", realRefusalDeadline, err)
			case !errors.As(err, &ae):
				t.Fatalf("SendSync: %v (%T), want an *AuthenticationError", err, err)
			case ae.Mechanism != r.mechanism || !strings.Contains(err.Error(), r.what()) || !strings.Contains(err.Error(), r.want):
				t.Fatalf("SendSync: %v (mechanism %q), want mechanism %s, %q and %q", err, ae.Mechanism, r.mechanism, r.what(), r.want)
			case r.mechanism != "TLS" && !errors.Is(err, sasl.ErrAuthenticationFailed):
				t.Fatalf("SendSync: %v is not sasl.ErrAuthenticationFailed", err)
			}
			checkNoSecret(t, "the error", err.Error(), secrets)
			checkNoSecret(t, "the producer's debug log", log.String(), secrets)
			if !strings.Contains(log.String(), r.want) {
				t.Errorf("the producer's debug log does not say %q:\n%s", r.want, log.String())
			}
			t.Logf("failed after %v: %v", took.Round(time.Millisecond), err)
		})
		t.Run(r.name+"/cli", func(t *testing.T) {
			args := append([]string{"-t", topic, "-b", k.SASLSSL, "-X", "max.block.ms=" + realRefusalMaxBlock}, r.flags...)
			start := time.Now()
			stdout, stderr, err := runKwireProduceOutput(t, bin, "refused\n", args...)
			took := time.Since(start)
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() <= 0 {
				t.Fatalf("kwire produce ended with %v after %v (deadline %v), want a non-zero exit status of its own:\n%s", err, took, clientTimeout, stderr)
			}
			if !strings.Contains(stderr, r.what()) || !strings.Contains(stderr, r.want) {
				t.Fatalf("kwire produce's stderr does not say %q and %q:\n%s", r.what(), r.want, stderr)
			}
			checkNoSecret(t, "kwire produce's output", stdout+stderr, secrets)
			t.Logf("exit status %d after %v: %s", exit.ExitCode(), took.Round(time.Millisecond), lastLines(stderr, 1))
		})
	}
}

// withMaxBlock is props with max.block.ms at realRefusalMaxBlock.
func withMaxBlock(props map[string]string) map[string]string {
	props = maps.Clone(props)
	props["max.block.ms"] = realRefusalMaxBlock
	return props
}

// checkNoSecret fails t if text shows any of secrets.
func checkNoSecret(t *testing.T, what, text string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("%s shows a password:\n%s", what, text)
			return
		}
	}
}

// addScramCredential gives user a SCRAM-SHA-256 credential for password, and no other, with
// AlterUserScramCredentials on the PLAINTEXT listener (the broker has no authorizer).
func addScramCredential(t *testing.T, k *kafkaCluster, user, password string) {
	t.Helper()
	const iterations = 4096
	salt := make([]byte, 32)
	rand.Read(salt)
	salted, err := pbkdf2.Key(sha256.New, password, salt, iterations, sha256.Size)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(k.Bootstrap, ",")...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrAlterUserSCRAMCredentialsRequest()
	up := kmsg.NewAlterUserSCRAMCredentialsRequestUpsertion()
	up.Name, up.Mechanism, up.Iterations, up.Salt, up.SaltedPassword = user, 1, iterations, salt, salted // 1: SCRAM-SHA-256
	req.Upsertions = append(req.Upsertions, up)
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatalf("AlterUserScramCredentials: %v", err)
	}
	for _, r := range resp.Results {
		if r.ErrorCode != 0 {
			t.Fatalf("AlterUserScramCredentials for %s: error %d: %v", r.User, r.ErrorCode, r.ErrorMessage)
		}
	}
}

// authenticateEventually sends a record to topic with a producer configured by props until it
// succeeds: a new SCRAM credential reaches the broker's authenticator through its metadata a
// little after AlterUserScramCredentials answers.
func authenticateEventually(t *testing.T, props map[string]string, topic string) {
	t.Helper()
	deadline := time.Now().Add(clientTimeout)
	for attempt := 1; ; attempt++ {
		var log lockedBuffer
		p := newRealProducer(t, props, &log)
		ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
		_, err := p.SendSync(ctx, &producer.Record{Topic: topic, Value: []byte("accepted")})
		p.Close(ctx)
		cancel()
		if err == nil {
			t.Logf("authenticated at attempt %d", attempt)
			return
		}
		if !errors.Is(err, sasl.ErrAuthenticationFailed) || time.Now().After(deadline) {
			t.Fatalf("SendSync: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestRealKafkaListenerMismatch connects to each of the real broker's listeners with the other's
// protocol. Neither is refused in so many words (the broker closes the connection, or answers in
// TLS), so the producer retries until max.block.ms, as the Java client does; the error it ends
// with must say what is wrong and name no password.
func TestRealKafkaListenerMismatch(t *testing.T) {
	k := sharedKafka(t)
	sasl512 := realSASLProps(k, sasl.MechanismScramSHA512, k.Username, k.Password)
	toPlaintext := maps.Clone(sasl512)
	toPlaintext["bootstrap.servers"] = k.Bootstrap
	for _, c := range []struct {
		name  string
		props map[string]string
		want  string
	}{
		{"PLAINTEXT to SASL_SSL", map[string]string{"bootstrap.servers": k.SASLSSL}, "the broker answered ApiVersions in TLS: is its listener SSL or SASL_SSL (security.protocol)?"},
		{"SASL_SSL to PLAINTEXT", toPlaintext, "the broker closed the connection during the TLS handshake: is its listener PLAINTEXT or SASL_PLAINTEXT?"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			props := maps.Clone(c.props)
			props["max.block.ms"] = "1500"
			var log lockedBuffer
			p := newRealProducer(t, props, &log)
			ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
			defer cancel()
			_, err := p.SendSync(ctx, &producer.Record{Topic: "realkafka-listener-mismatch", Value: []byte("x")})
			if err == nil || ctx.Err() != nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("SendSync: %v, want %q", err, c.want)
			}
			checkNoSecret(t, "the error", err.Error(), []string{k.Password})
			checkNoSecret(t, "the producer's debug log", log.String(), []string{k.Password})
			t.Logf("%v", err)
		})
	}
}
