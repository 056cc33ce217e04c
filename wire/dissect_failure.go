package wire

import (
	"fmt"
	"slices"
	"strings"
)

// Failure is where a dissection stopped: the first failed field none of whose own fields failed.
type Failure struct {
	Field        *Field
	Path         []string // the names from below the root down to Field
	Decompressed bool     // Field's offset is into a decompressed records section, not the input
}

// Error names the field by its path, its offset, and why it failed, e.g.
// "batch[0].crc at offset 17: corrupt data: stored 0x…, computed 0x…".
func (f *Failure) Error() string {
	where := fmt.Sprintf("offset %d", f.Field.Offset)
	if f.Decompressed {
		where = fmt.Sprintf("offset d:%d of the decompressed records", f.Field.Offset)
	}
	return strings.Join(f.Path, ".") + " at " + where + ": " + f.Field.Err
}

// FindFailure returns where the dissection root stopped, or nil if it did not fail. The returned
// Field points into root's tree.
func FindFailure(root *Field) *Failure {
	if !root.Failed() {
		return nil
	}
	at := &Failure{Field: root, Path: []string{root.Name}}
	for {
		next := slices.IndexFunc(at.Field.Children, func(c Field) bool { return c.Failed() })
		if next < 0 {
			break
		}
		at.Field = &at.Field.Children[next]
		at.Path = append(at.Path, at.Field.Name)
		at.Decompressed = at.Decompressed || at.Field.Buffer != nil
	}
	if len(at.Path) > 1 {
		at.Path = at.Path[1:] // the root's name says nothing
	}
	return at
}
