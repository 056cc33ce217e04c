package main

import (
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// TestLineSource checks where lines start and end, across inputs and however the reads cut them.
func TestLineSource(t *testing.T) {
	for _, c := range []struct {
		inputs []string
		want   []string // place=line
	}{
		{[]string{""}, nil},
		{[]string{"a"}, []string{"0:1=a"}},
		{[]string{"a\n"}, []string{"0:1=a"}},
		{[]string{"a\n\n"}, []string{"0:1=a", "0:2="}},
		{[]string{"\r\n\ra\r\r\n"}, []string{"0:1=\r", "0:2=\ra\r\r"}},
		{[]string{"a", "", "b\nc\n"}, []string{"0:1=a", "2:1=b", "2:2=c"}},
	} {
		for _, oneByte := range []bool{false, true} {
			inputs := make([]namedInput, len(c.inputs))
			for i, s := range c.inputs {
				var r io.Reader = strings.NewReader(s)
				if oneByte {
					r = iotest.OneByteReader(r)
				}
				inputs[i] = namedInput{string(rune('0' + i)), r}
			}
			src := newLineSource(inputs)
			var got []string
			for {
				line, at, err := src.next(context.Background())
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, at.String()+"="+string(line))
			}
			src.close()
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("%q (one byte a read: %v): %q, want %q", c.inputs, oneByte, got, c.want)
			}
		}
	}
}

// TestLineSourceRest: the bytes read and not yet cut into lines are the lines rest names, the
// last one perhaps incomplete; none are read after.
func TestLineSourceRest(t *testing.T) {
	src := newLineSource([]namedInput{{"in", strings.NewReader("a\nb\nc")}})
	defer src.close()
	if _, at, err := src.next(context.Background()); err != nil || at.String() != "in:1" {
		t.Fatalf("first line at %s, %v", at, err)
	}
	if got := src.rest(); len(got) != 2 || got[0].String() != "in:2" || got[1].String() != "in:3" {
		t.Fatalf("rest %v, want in:2 and in:3", got)
	}
	if last, ok := src.lastRead(); !ok || last.String() != "in:3" {
		t.Fatalf("last read %v", last)
	}
}
