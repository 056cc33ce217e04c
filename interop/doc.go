// Package interop cross-checks kwire's record batch encoder and decoder against independent Kafka
// implementations: franz-go (kmsg, kgo, kfake) and IBM's sarama.
//
// It is a module of its own so that the main module never depends on them. Everything lives in
// tests; run them with `go test ./...` from this directory.
package interop
