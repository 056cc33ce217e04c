package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
)

// readChunk is how many bytes a line source asks an input for at a time.
const readChunk = 64 << 10

// namedInput is an input and the name messages give it: a FILE, or stdin.
type namedInput struct {
	name string
	r    io.Reader
}

// place is where a line came from: its input and its line number there, from 1.
type place struct {
	name string
	line int
}

// String is NAME:LINE.
func (p place) String() string { return fmt.Sprintf("%s:%d", p.name, p.line) }

// chunk is what one Read of an input returned.
type chunk struct {
	data []byte
	err  error // io.EOF at the input's end
}

// chunkReader reads the inputs in turn on a goroutine of its own, one chunk each time it is
// asked: a Read that waits on a pipe or a terminal cannot be interrupted, but its caller can stop
// waiting for it.
type chunkReader struct {
	ask    chan struct{}
	got    chan chunk
	quit   chan struct{}
	asking bool // a chunk was asked for and not yet taken
}

// newChunkReader starts reading inputs when asked.
func newChunkReader(inputs []namedInput) *chunkReader {
	r := &chunkReader{ask: make(chan struct{}), got: make(chan chunk, 1), quit: make(chan struct{})}
	go r.run(inputs)
	return r
}

// run reads a chunk each time one is asked for, until the inputs end or stop is called.
func (r *chunkReader) run(inputs []namedInput) {
	for _, in := range inputs {
		for {
			select {
			case <-r.ask:
			case <-r.quit:
				return
			}
			c := readOnce(in.r)
			r.got <- c
			if c.err != nil {
				break
			}
		}
	}
}

// readOnce reads up to readChunk bytes from r, at least one unless it fails or ends.
func readOnce(r io.Reader) chunk {
	buf := make([]byte, readChunk)
	for {
		n, err := r.Read(buf)
		if n > 0 || err != nil {
			return chunk{buf[:n], err}
		}
	}
}

// next asks for the next chunk, unless it already has, and waits for it until ctx ends.
func (r *chunkReader) next(ctx context.Context) (chunk, error) {
	if ctx.Err() != nil {
		return chunk{}, context.Cause(ctx)
	}
	if !r.asking {
		r.ask <- struct{}{}
		r.asking = true
	}
	select {
	case c := <-r.got:
		r.asking = false
		return c, nil
	case <-ctx.Done():
		return chunk{}, context.Cause(ctx)
	}
}

// late is the chunk asked for before the caller stopped waiting, if its Read has returned since.
func (r *chunkReader) late() (chunk, bool) {
	if !r.asking {
		return chunk{}, false
	}
	select {
	case c := <-r.got:
		r.asking = false
		return c, true
	default:
		return chunk{}, false
	}
}

// stop ends the reading goroutine once a Read in progress, if any, returns.
func (r *chunkReader) stop() { close(r.quit) }

// lineSource cuts inputs into lines as it reads them. A line is every byte before a "\n", "\r"
// included; a final "\n" ends the last line rather than starting another.
type lineSource struct {
	inputs []namedInput
	chunks *chunkReader
	in     int    // the input being read
	buf    []byte // its bytes read and not yet cut into lines
	ended  bool   // it has no more bytes
	err    error  // why reading it failed, if it did
	line   int    // the lines of it cut so far
	last   place  // the line cut last; line 0 before any
}

// newLineSource starts reading inputs.
func newLineSource(inputs []namedInput) *lineSource {
	return &lineSource{inputs: inputs, chunks: newChunkReader(inputs)}
}

// next returns the next line and where it came from. The line aliases bytes read, which are
// never overwritten. The error is io.EOF after the last line, a failure to read, or ctx's cause.
func (s *lineSource) next(ctx context.Context) ([]byte, place, error) {
	for {
		if i := bytes.IndexByte(s.buf, '\n'); i >= 0 {
			line := s.buf[:i]
			s.buf = s.buf[i+1:]
			return line, s.cut(), nil
		}
		switch {
		case s.ended && s.err != nil:
			return nil, place{}, s.err
		case s.ended && len(s.buf) > 0:
			line := s.buf
			s.buf = nil
			return line, s.cut(), nil
		case s.ended && s.in == len(s.inputs)-1:
			return nil, place{}, io.EOF
		case s.ended:
			s.in, s.line, s.ended = s.in+1, 0, false
		default:
			c, err := s.chunks.next(ctx)
			if err != nil {
				return nil, place{}, err
			}
			s.take(c)
		}
	}
}

// take adds a chunk of the current input.
func (s *lineSource) take(c chunk) {
	if len(s.buf) == 0 {
		s.buf = c.data
	} else {
		s.buf = append(s.buf, c.data...)
	}
	if c.err != nil {
		s.ended = true
		if !errors.Is(c.err, io.EOF) {
			s.err = fmt.Errorf("%s: %w", s.inputs[s.in].name, c.err)
		}
	}
}

// cut counts a line of the current input and returns its place.
func (s *lineSource) cut() place {
	s.line++
	s.last = place{s.inputs[s.in].name, s.line}
	return s.last
}

// rest is where the bytes read and not yet returned as lines came from, the last line perhaps
// incomplete; with them the bytes of a Read asked for before the caller stopped waiting, if it
// has returned since. It reads nothing more.
func (s *lineSource) rest() []place {
	if c, ok := s.chunks.late(); ok {
		s.take(c)
	}
	var out []place
	for len(s.buf) > 0 {
		i := bytes.IndexByte(s.buf, '\n')
		if i < 0 {
			i = len(s.buf) - 1
		}
		s.buf = s.buf[i+1:]
		out = append(out, s.cut())
	}
	return out
}

// lastRead is the place of the last line read, and false if none was.
func (s *lineSource) lastRead() (place, bool) {
	return s.last, s.last.line > 0
}

// close stops the reading.
func (s *lineSource) close() { s.chunks.stop() }
