package interop

import (
	"bytes"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/kwire-dev/kwire/wire"
)

// comparer walks two decoded responses (or any two values of one type) field by field and records
// every field whose values differ, under its path ("Topics[0].Partitions[1].LeaderID"), with the
// allowance that excuses it, if any.
type comparer struct {
	allowances []*allowance
	unordered  []unordered
	fields     int // leaf fields compared
	diffs      []fieldDiff
}

// fieldDiff is one field whose values differ between Kafka's answer and the mock broker's.
type fieldDiff struct {
	path        string
	kafka, mock string
	allowed     *allowance // nil: a mock broker bug
}

func (d fieldDiff) String() string {
	return fmt.Sprintf("%s: kafka %s, mock %s", d.path, d.kafka, d.mock)
}

// allowance names fields whose values may differ between the two brokers, why, and the relation
// their values must still satisfy.
type allowance struct {
	paths []string // field paths with [] for any index, e.g. "Metadata.Brokers[].Port"
	why   string
	// holds checks the two values; a difference that breaks it is a bug after all.
	holds    func(kafka, mock reflect.Value) bool
	used     int             // differences it excused
	examples []string        // the first of them, from different exchanges
	last     string          // the exchange of the last example
	reached  map[string]bool // the paths of fields it was asked about
}

// example keeps the first differences a excused, one for each of the first exchanges it excused
// one in.
func (a *allowance) example(exchange string, d fieldDiff) {
	if len(a.examples) < 2 && exchange != a.last {
		a.examples = append(a.examples, fmt.Sprintf("%s: %s", exchange, d))
		a.last = exchange
	}
}

// unordered names an array whose order the protocol leaves to the broker: it is compared sorted by
// key.
type unordered struct {
	path string
	why  string
	key  func(elem reflect.Value) string
}

// sorted is a copy of slice v sorted by key.
func sorted(v reflect.Value, key func(reflect.Value) string) reflect.Value {
	out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
	reflect.Copy(out, v)
	sort.SliceStable(out.Interface(), func(i, j int) bool { return key(out.Index(i)) < key(out.Index(j)) })
	return out
}

// indexes matches the indexes of a path, which allowances do not name.
var indexes = regexp.MustCompile(`\[\d+\]`)

// allowanceFor returns the allowance naming path, or nil.
func (c *comparer) allowanceFor(path string) *allowance {
	general := indexes.ReplaceAllString(path, "[]")
	for _, a := range c.allowances {
		for _, p := range a.paths {
			if p == general {
				if a.reached == nil {
					a.reached = map[string]bool{}
				}
				a.reached[p] = true
				return a
			}
		}
	}
	return nil
}

// compare walks kafka and mock, two values of the same type, from path.
func (c *comparer) compare(path string, kafka, mock reflect.Value) {
	if a := c.allowanceFor(path); a != nil {
		c.fields++
		if !reflect.DeepEqual(kafka.Interface(), mock.Interface()) {
			d := fieldDiff{path: path, kafka: show(kafka), mock: show(mock)}
			if a.holds(kafka, mock) {
				d.allowed = a
			}
			c.diffs = append(c.diffs, d)
		}
		return
	}
	switch kafka.Kind() {
	case reflect.Pointer:
		if kafka.IsNil() || mock.IsNil() {
			c.leaf(path, kafka, mock, kafka.IsNil() == mock.IsNil())
			return
		}
		c.compare(path, kafka.Elem(), mock.Elem())
	case reflect.Struct:
		t := kafka.Type()
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() {
				c.compare(path+"."+f.Name, kafka.Field(i), mock.Field(i))
			}
		}
	case reflect.Slice:
		c.compareSlices(path, kafka, mock)
	default:
		c.leaf(path, kafka, mock, kafka.Interface() == mock.Interface())
	}
}

// compareSlices compares two slices: null against empty (kwire decodes an empty array as nil
// unless the field is nullable, so that nil differs from empty only where the protocol says so), then their lengths, then element by
// element as far as both go. Record sets (a field named Records of type []byte) are compared
// batch by batch and record by record, as a consumer reads them.
func (c *comparer) compareSlices(path string, kafka, mock reflect.Value) {
	if kafka.IsNil() != mock.IsNil() {
		c.leaf(path, kafka, mock, false)
		return
	}
	if kafka.Type() == reflect.TypeFor[[]byte]() {
		if strings.HasSuffix(path, ".Records") {
			c.compare(path, reflect.ValueOf(batchesOf(kafka.Bytes())), reflect.ValueOf(batchesOf(mock.Bytes())))
			return
		}
		c.leaf(path, kafka, mock, bytes.Equal(kafka.Bytes(), mock.Bytes()))
		return
	}
	general := indexes.ReplaceAllString(path, "[]")
	for _, u := range c.unordered {
		if u.path == general {
			kafka, mock = sorted(kafka, u.key), sorted(mock, u.key)
		}
	}
	if kafka.Len() != mock.Len() {
		c.fields++
		c.diffs = append(c.diffs, fieldDiff{path: path + ".len", kafka: fmt.Sprint(kafka.Len()), mock: fmt.Sprint(mock.Len())})
	}
	for i := range min(kafka.Len(), mock.Len()) {
		c.compare(fmt.Sprintf("%s[%d]", path, i), kafka.Index(i), mock.Index(i))
	}
}

func (c *comparer) leaf(path string, kafka, mock reflect.Value, equal bool) {
	c.fields++
	if !equal {
		c.diffs = append(c.diffs, fieldDiff{path: path, kafka: show(kafka), mock: show(mock)})
	}
}

// show formats a field's value for a report: strings quoted, null as null, bytes in hex.
func show(v reflect.Value) string {
	switch {
	case (v.Kind() == reflect.Pointer || v.Kind() == reflect.Slice) && v.IsNil():
		return "null"
	case v.Kind() == reflect.Pointer:
		return show(v.Elem())
	case v.Kind() == reflect.String:
		return fmt.Sprintf("%q", v.String())
	case v.Type() == reflect.TypeFor[[]byte]():
		if v.Len() > 64 {
			return fmt.Sprintf("%d bytes %x…", v.Len(), v.Bytes()[:64])
		}
		return fmt.Sprintf("%x", v.Bytes())
	}
	return fmt.Sprintf("%+v", v.Interface())
}

// batchView is a record batch as a consumer reads it from a fetch response.
type batchView struct {
	Batch   wire.BatchHeader
	Records []wire.Record
	Error   string // why the rest of the record set did not decode
}

// batchesOf decodes a record set batch by batch; a batch that does not decode (a partial batch at
// the end, cut by a fetch's byte limit, or a corrupt one) ends it with its error.
func batchesOf(set []byte) []batchView {
	var out []batchView
	for len(set) > 0 {
		var b wire.RecordBatch
		rest, err := b.Decode(set)
		if err != nil {
			return append(out, batchView{Error: err.Error()})
		}
		out = append(out, batchView{Batch: b.BatchHeader, Records: b.Records})
		set = rest
	}
	return out
}
