package main

import (
	"fmt"

	"github.com/kwire-dev/kwire/wire"
	"github.com/kwire-dev/kwire/wire/recordjson"
)

// batchJSON is the JSON form of a decoded record batch that kwire batch -o json prints: every header
// field as decoded, and the records in recordjson's form.
type batchJSON struct {
	BaseOffset           int64               `json:"baseOffset"`
	BatchLength          int32               `json:"batchLength"`
	PartitionLeaderEpoch int32               `json:"partitionLeaderEpoch"`
	Magic                int8                `json:"magic"`
	CRC                  string              `json:"crc"` // e.g. "0x1a2b3c4d"
	Attributes           attributesJSON      `json:"attributes"`
	LastOffsetDelta      int32               `json:"lastOffsetDelta"`
	BaseTimestamp        int64               `json:"baseTimestamp"`
	MaxTimestamp         int64               `json:"maxTimestamp"`
	ProducerID           int64               `json:"producerId"`
	ProducerEpoch        int16               `json:"producerEpoch"`
	BaseSequence         int32               `json:"baseSequence"`
	RecordCount          int32               `json:"recordCount"`
	SizeBytes            int                 `json:"sizeBytes"` // the whole batch, header included
	Records              []recordjson.Record `json:"records"`
}

// attributesJSON is a batch's attributes: the raw bits, the codec's name and each flag.
type attributesJSON struct {
	Value         int16  `json:"value"`
	Codec         string `json:"codec"`
	Transactional bool   `json:"transactional"`
	Control       bool   `json:"control"`
	LogAppendTime bool   `json:"logAppendTime"`
	DeleteHorizon bool   `json:"deleteHorizon"`
}

// decodeBatchJSON decodes the one record batch that encoded holds into its JSON form.
func decodeBatchJSON(encoded []byte) (*batchJSON, error) {
	var b wire.RecordBatch
	rest, err := b.Decode(encoded)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%d bytes follow the batch", len(rest))
	}
	a := b.Attributes
	view := &batchJSON{
		BaseOffset:           b.BaseOffset,
		BatchLength:          b.Length,
		PartitionLeaderEpoch: b.PartitionLeaderEpoch,
		Magic:                b.Magic,
		CRC:                  fmt.Sprintf("%#08x", b.CRC),
		Attributes: attributesJSON{
			Value:         int16(a),
			Codec:         a.Codec().String(),
			Transactional: a&wire.AttrTransactional != 0,
			Control:       a&wire.AttrControl != 0,
			LogAppendTime: a&wire.AttrLogAppendTime != 0,
			DeleteHorizon: a&wire.AttrDeleteHorizon != 0,
		},
		LastOffsetDelta: b.LastOffsetDelta,
		BaseTimestamp:   b.BaseTimestamp,
		MaxTimestamp:    b.MaxTimestamp,
		ProducerID:      b.ProducerID,
		ProducerEpoch:   b.ProducerEpoch,
		BaseSequence:    b.BaseSequence,
		RecordCount:     b.NumRecords,
		SizeBytes:       b.Size(),
		Records:         make([]recordjson.Record, len(b.Records)),
	}
	for i := range b.Records {
		view.Records[i] = recordjson.FromWire(&b.Records[i])
	}
	return view, nil
}
