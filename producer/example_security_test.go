package producer_test

import (
	"context"
	"log"
	"os"

	"github.com/kwire-dev/kwire/producer"
	"github.com/kwire-dev/kwire/sasl"
)

// A producer of a SASL_SSL cluster, in Go: SCRAM-SHA-512 credentials and the CA certificate that
// signs the brokers' certificates (the README shows the same).
func ExampleConfig_saslSSL() {
	cfg := producer.DefaultConfig()
	cfg.BootstrapServers = []string{"kafka.example.com:9093"}
	cfg.SecurityProtocol = producer.SecuritySASLSSL
	cfg.SASLMechanism = sasl.MechanismScramSHA512
	cfg.SASLUsername, cfg.SASLPassword = "alice", producer.Secret(os.Getenv("KAFKA_PASSWORD"))
	cfg.SSLCALocation = "ca.pem"
	p, err := producer.New(cfg)
	if err != nil {
		log.Fatal(err) // a *producer.ConfigError naming the property, without the password
	}
	defer p.Close(context.Background())
}

// The same from Java properties, as a Java client's configuration file has them.
func ExampleConfigFromProperties_saslSSL() {
	cfg, err := producer.ConfigFromProperties(map[string]string{
		"bootstrap.servers":       "kafka.example.com:9093",
		"security.protocol":       "SASL_SSL",
		"sasl.mechanism":          "SCRAM-SHA-512",
		"sasl.jaas.config":        `org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="alice-secret";`,
		"ssl.truststore.type":     "PEM",
		"ssl.truststore.location": "ca.pem",
	})
	if err != nil {
		log.Fatal(err)
	}
	log.Print(cfg.Properties()["sasl.jaas.config"]) // the password shows as [redacted]
}
