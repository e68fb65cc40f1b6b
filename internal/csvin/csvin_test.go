package csvin

import (
	"io"
	"strings"
	"testing"
)

func TestReadNamesTheMalformedLine(t *testing.T) {
	r := New(strings.NewReader("a,b\n1,2\n\"x,3\n"), 2)
	rows, err := r.ReadAll()
	line, why, ok := Malformed(err)
	if !ok || line != 3 || why == "" || len(rows) != 0 {
		t.Fatalf("rows %v, malformed %d %q %v (%v)", rows, line, why, ok, err)
	}
	if _, _, ok := Malformed(io.ErrUnexpectedEOF); ok {
		t.Fatal("another error is not a malformed line")
	}
	v := New(strings.NewReader("a\nb,c\n"), -1)
	for _, want := range []int{1, 2} {
		rec, err := v.Read()
		if err != nil || len(rec) != want {
			t.Fatalf("record %v %v, want %d fields", rec, err, want)
		}
	}
	if _, err := v.Read(); err != io.EOF {
		t.Fatalf("after the last record: %v", err)
	}
}
