module github.com/kwire-dev/kwire

go 1.26

require (
	github.com/golang/snappy v1.0.0
	github.com/klauspost/compress v1.20.3
	github.com/pierrec/lz4/v4 v4.1.33
	honnef.co/go/js/dom/v2 v2.0.0-20231112215516-51f43a291193
)
