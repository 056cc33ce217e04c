package wire

import "sync"

// bufferPool holds scratch buffers for records sections on their way into or out of a codec, so a
// hot loop of batches does not allocate one each time.
var bufferPool = sync.Pool{New: func() any { return new([]byte) }}

func getBuffer() *[]byte { return bufferPool.Get().(*[]byte) }

// putBuffer returns b to the pool unless it grew past what is worth keeping.
func putBuffer(b *[]byte) {
	if cap(*b) <= maxPooledBuffer {
		bufferPool.Put(b)
	}
}

const maxPooledBuffer = 16 << 20
