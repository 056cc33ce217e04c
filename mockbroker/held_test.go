package mockbroker

import (
	"reflect"
	"slices"
	"time"
	"unsafe"
)

// heldBytes is the memory v leads to: the blocks its pointers, slices, strings, interfaces and maps
// reach, and the blocks those reach, each byte counted once however many reach it (a produced batch
// is a slice of its request, which the request's exchange holds too). A slice counts up to its
// capacity; a map its entries, by their size. It is what keeping v costs, give or take the
// allocator's rounding, found by walking v rather than by reading the heap, which other goroutines
// and the garbage collector's timing change.
func heldBytes(v any) int {
	w := heldWalk{visited: map[visit]bool{}}
	w.value(reflect.ValueOf(v))
	return w.total()
}

// heldWalk is one walk of heldBytes: the blocks found so far, and what it has walked.
type heldWalk struct {
	blocks  []block
	visited map[visit]bool
}

// block is the memory from start to end.
type block struct{ start, end uintptr }

// visit is a pointer, slice or map walked, by address, length and type.
type visit struct {
	addr uintptr
	n    int
	t    reflect.Type
}

var locationType = reflect.TypeFor[time.Location]()

// value adds what v leads to, not v itself, which its container holds.
func (w *heldWalk) value(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || v.Type().Elem() == locationType { // time zones are shared by every time.Time
			return
		}
		e := v.Elem()
		if w.first(visit{v.Pointer(), 1, e.Type()}) {
			w.add(v.Pointer(), e.Type().Size())
			w.value(e)
		}
	case reflect.Slice:
		if v.IsNil() || !w.first(visit{v.Pointer(), v.Len(), v.Type()}) {
			return
		}
		w.add(v.Pointer(), uintptr(v.Cap())*v.Type().Elem().Size())
		if !pointerFree(v.Type().Elem()) {
			for i := range v.Len() {
				w.value(v.Index(i))
			}
		}
	case reflect.String:
		if s := v.String(); len(s) > 0 {
			w.add(uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(len(s)))
		}
	case reflect.Interface:
		if !v.IsNil() {
			w.value(v.Elem())
		}
	case reflect.Map:
		if v.IsNil() || !w.first(visit{v.Pointer(), 0, v.Type()}) {
			return
		}
		w.add(v.Pointer(), uintptr(v.Len())*(v.Type().Key().Size()+v.Type().Elem().Size()))
		for it := v.MapRange(); it.Next(); {
			w.value(it.Key())
			w.value(it.Value())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			w.value(v.Field(i))
		}
	case reflect.Array:
		if !pointerFree(v.Type().Elem()) {
			for i := range v.Len() {
				w.value(v.Index(i))
			}
		}
	}
}

// pointerFree reports whether a value of type t leads nowhere: the walk need not look inside it.
func pointerFree(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8,
		reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr, reflect.Float32, reflect.Float64:
		return true
	case reflect.Array:
		return pointerFree(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if !pointerFree(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}

// first reports whether v is walked for the first time.
func (w *heldWalk) first(v visit) bool {
	if w.visited[v] {
		return false
	}
	w.visited[v] = true
	return true
}

func (w *heldWalk) add(start, size uintptr) {
	if size > 0 {
		w.blocks = append(w.blocks, block{start, start + size})
	}
}

// total is the bytes of the blocks found, overlaps counted once.
func (w *heldWalk) total() int {
	slices.SortFunc(w.blocks, func(a, b block) int {
		switch {
		case a.start < b.start:
			return -1
		case a.start > b.start:
			return 1
		}
		return 0
	})
	n, end := 0, uintptr(0)
	for _, b := range w.blocks {
		switch {
		case b.end <= end:
		case b.start >= end:
			n += int(b.end - b.start)
		default:
			n += int(b.end - end)
		}
		end = max(end, b.end)
	}
	return n
}
