package wire

import (
	"errors"
	"reflect"
)

// ErrDecodeLimit means decoding a batch's records would hold more memory than the limit given to
// [RecordScanner.Reset]; test for it with [errors.Is].
var ErrDecodeLimit = errors.New("wire: decoded size exceeds limit")

// The bytes a decoded [Record] and [Header] take, beside the bytes they alias.
var (
	recordMemSize = int(reflect.TypeFor[Record]().Size())
	headerMemSize = int(reflect.TypeFor[Header]().Size())
)

// RecordScanner reads the records of a record batch one at a time, checking each as
// [RecordBatch.Decode] does but keeping none, so that its memory is the decompressed records
// section however many records and headers that holds. A decoded record takes a [Record] of some
// 100 bytes for the 7 bytes it may take encoded, so a small compressed batch can decode into
// gigabytes; a broker validating what it is sent, or looking for one record, scans instead.
//
// Like [bufio.Scanner]: [RecordScanner.Reset], then [RecordScanner.Scan] until it returns false,
// then [RecordScanner.Err].
type RecordScanner struct {
	BatchHeader // of the batch being scanned

	rr   recordReader
	rec  Record
	raw  []byte // decompressed records section, reused across batches
	err  error
	done bool
}

// Reset starts scanning the record batch at the start of src and returns the bytes after it.
// limit bounds what decoding the batch would hold ([RecordScanner.DecodedSize]): Reset fails if the
// records section does not decompress into at most limit bytes (and [MaxRecordsSize]), and
// scanning fails with [ErrDecodeLimit] as soon as decoding what it has read would hold more, a
// record or a header count at a time. Reset also fails if the batch's header is wrong; it does not
// verify the CRC (see [VerifyBatchCRC]). What is wrong with the records themselves, their count
// included, is for [RecordScanner.Err] to say.
func (s *RecordScanner) Reset(src []byte, limit int) (rest []byte, err error) {
	*s = RecordScanner{raw: s.raw}
	limit = max(limit, 0)
	if s.BatchHeader, err = ReadBatchHeader(src); err == nil {
		var section []byte
		var base int
		if section, base, s.raw, err = recordsSection(src, &s.BatchHeader, s.raw, min(limit, MaxRecordsSize)); err == nil {
			s.err = inSection(&s.BatchHeader, s.rr.reset(&s.BatchHeader, section, base))
			s.rr.held, s.rr.limit = s.decompressed(), max(limit, 1)
			return src[s.Size():], nil
		}
	}
	s.err = err
	return src, err
}

// Scan reads the next record, for [RecordScanner.Record]. It returns false after the last record,
// once it has checked that nothing follows it, or at the first error.
func (s *RecordScanner) Scan() bool {
	switch {
	case s.err != nil || s.done:
		return false
	case s.rr.read == int(s.NumRecords):
		s.done = true
		s.err = inSection(&s.BatchHeader, s.rr.end())
		return false
	}
	if err := s.rr.next(&s.rec, nil); err != nil {
		s.err = inSection(&s.BatchHeader, err)
		return false
	}
	return true
}

// Record is the record last scanned, without its headers, which are checked and counted but not
// kept. Its key and value alias the batch, or its decompressed records section, and stay valid
// until s is Reset.
func (s *RecordScanner) Record() *Record { return &s.rec }

// Err is the first error Scan met, or nil.
func (s *RecordScanner) Err() error { return s.err }

// DecodedSize is how many bytes [RecordBatch.Decode] would hold for the records scanned so far,
// beside the batch itself: the decompressed records section, and a [Record] for each record and a
// [Header] for each of their headers.
func (s *RecordScanner) DecodedSize() int { return s.rr.held }

// decompressed is how many bytes the records section took decompressed, 0 if it was not compressed.
func (s *RecordScanner) decompressed() int {
	if s.Attributes.Codec() == CodecNone {
		return 0
	}
	return len(s.raw)
}
