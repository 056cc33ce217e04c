// Package kgoprops configures franz-go's kgo producer from the Java client's property names, so
// that franz-go runs at the same settings as kwire and the Java producer in interop's comparisons.
package kgoprops

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kwire-dev/kwire/wire"
)

// Codec is franz-go's setting for a kwire codec.
func Codec(c wire.Codec) kgo.CompressionCodec {
	switch c {
	case wire.CodecGzip:
		return kgo.GzipCompression()
	case wire.CodecSnappy:
		return kgo.SnappyCompression()
	case wire.CodecLZ4:
		return kgo.Lz4Compression()
	case wire.CodecZstd:
		return kgo.ZstdCompression()
	}
	return kgo.NoCompression()
}

// Options are the kgo options for Java producer properties. Properties not given take the Java
// client's defaults where franz-go's differ and the difference would change what is measured:
// acks=all with idempotence, batch.size 16384, linger.ms 5 and buffer.memory 32 MiB (franz-go
// defaults to 1 MB batches, no linger and 50,000 records). A property without a franz-go
// equivalent is an error naming it.
func Options(props map[string]string) ([]kgo.Opt, error) {
	acks, idempotent := "all", true
	batch, buffer := int64(16384), int64(32<<20)
	linger := 5 * time.Millisecond
	codec := wire.CodecNone
	inFlight := int64(5)
	var opts []kgo.Opt
	for name, value := range props {
		value = strings.TrimSpace(value)
		var err error
		switch name {
		case "bootstrap.servers":
			opts = append(opts, kgo.SeedBrokers(strings.Split(value, ",")...))
		case "acks":
			acks = value
		case "enable.idempotence":
			idempotent, err = strconv.ParseBool(value)
		case "compression.type":
			codec, err = wire.ParseCodec(value)
		case "batch.size":
			batch, err = strconv.ParseInt(value, 10, 32)
		case "linger.ms":
			var ms int64
			ms, err = strconv.ParseInt(value, 10, 64)
			linger = time.Duration(ms) * time.Millisecond
		case "buffer.memory":
			buffer, err = strconv.ParseInt(value, 10, 64)
		case "max.in.flight.requests.per.connection":
			inFlight, err = strconv.ParseInt(value, 10, 32)
		case "client.id":
			opts = append(opts, kgo.ClientID(value))
		default:
			return nil, fmt.Errorf("property %s: franz-go has no equivalent here", name)
		}
		if err != nil {
			return nil, fmt.Errorf("property %s: %w", name, err)
		}
	}
	switch acks {
	case "all", "-1":
		opts = append(opts, kgo.RequiredAcks(kgo.AllISRAcks()))
	case "1":
		opts = append(opts, kgo.RequiredAcks(kgo.LeaderAck()))
	case "0":
		opts = append(opts, kgo.RequiredAcks(kgo.NoAck()))
	default:
		return nil, fmt.Errorf("property acks: %q is not 0, 1, all or -1", acks)
	}
	if !idempotent {
		opts = append(opts, kgo.DisableIdempotentWrite(), kgo.MaxProduceRequestsInflightPerBroker(int(inFlight)))
	} else if acks != "all" && acks != "-1" {
		return nil, fmt.Errorf("property acks: idempotence needs acks=all, not %s (set enable.idempotence=false)", acks)
	}
	return append(opts,
		kgo.ProducerBatchCompression(Codec(codec)),
		kgo.ProducerBatchMaxBytes(int32(batch)),
		kgo.ProducerLinger(linger),
		kgo.MaxBufferedBytes(int(min(buffer, math.MaxInt32))),
		kgo.MaxBufferedRecords(math.MaxInt32),
	), nil
}
