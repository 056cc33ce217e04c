package recordjson

import (
	"encoding/json"
	"errors"
	"fmt"
)

// LineError is a line of JSON records that did not decode: where, and why.
type LineError struct {
	Line   int   // from 1
	Column int   // the byte in the line where JSON found the fault, from 1; 0 when it did not say
	Err    error // the JSON decoder's error
}

// Error names the line, and the column when known: "line 3, column 12: …".
func (e *LineError) Error() string {
	if e.Column > 0 {
		return fmt.Sprintf("line %d, column %d: %v", e.Line, e.Column, e.Err)
	}
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

// Unwrap is the JSON decoder's error.
func (e *LineError) Unwrap() error { return e.Err }

// newLineError wraps err, met decoding line after indent bytes of leading white space.
func newLineError(line, indent int, err error) *LineError {
	e := &LineError{Line: line, Err: err}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		e.Column = indent + int(max(syntax.Offset, 1))
	case errors.As(err, &typ):
		e.Column = indent + int(max(typ.Offset, 1))
	}
	return e
}
