package sasl

import "bytes"

// RedactClientMessage overwrites, in place, the secret a client message of mechanism carries, so
// that a captured exchange can be logged or shown: PLAIN's password becomes as many "*". SCRAM's
// messages carry no password (the proof is a one-time value) and are left as they are; so are
// messages that do not parse. The message's length does not change, so framing around it stays
// valid.
func RedactClientMessage(mechanism string, msg []byte) {
	if mechanism != MechanismPlain {
		return
	}
	first := bytes.IndexByte(msg, 0)
	if first < 0 {
		return
	}
	second := bytes.IndexByte(msg[first+1:], 0)
	if second < 0 {
		return
	}
	for i := first + 1 + second + 1; i < len(msg); i++ {
		msg[i] = '*'
	}
}
