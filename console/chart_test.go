package console

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var (
	rectWidth = regexp.MustCompile(`<rect x="([0-9.]+)" y="[0-9.]+" width="([0-9.]+)"`)
	tickLabel = regexp.MustCompile(`<text x="([0-9.]+)" y="(\d+)" class="tick" text-anchor="middle">([^<]*)</text>`)
)

// Charts read well with one data point and with many: no NaN or infinite
// geometry, bars at least minBarWidth (less the 1-unit gap) and at most
// maxBarWidth wide inside the plot, slot labels far enough apart not to
// overlap, gridline values on the y axis, axis titles, and a sentence
// instead of bars when there is nothing to draw.
func TestChartGeometry(t *testing.T) {
	count := func(v int64) string { return strconv.FormatInt(v, 10) }
	series := func(n int, f func(i int) int64) []int64 {
		out := make([]int64, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	labels := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("Partner number %d of many", i)
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		n      int
		series int
		value  func(i int) int64
		empty  string
	}{
		{"one point", 1, 2, func(int) int64 { return 1 }, ""},
		{"twelve months", 12, 2, func(i int) int64 { return int64(i * 37) }, ""},
		{"ten years of months", 120, 2, func(i int) int64 { return int64(i*i + 1) }, ""},
		{"all zero", 5, 1, func(int) int64 { return 0 }, "Nothing above zero"},
		{"no data", 0, 1, func(int) int64 { return 0 }, "No deals in this period"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ss [][]int64
			var names []string
			for s := 0; s < tc.series; s++ {
				ss = append(ss, series(tc.n, tc.value))
				names = append(names, "s"+strconv.Itoa(s))
			}
			out := string(chart{Title: tc.name, Labels: labels(tc.n), Series: ss, Names: names, Format: count,
				XAxis: "partner", YAxis: "deals"}.render())
			if strings.Contains(out, "NaN") || strings.Contains(out, "Inf") {
				t.Fatalf("bad geometry: %s", out)
			}
			if tc.empty != "" && !strings.Contains(out, tc.empty) {
				t.Fatalf("no %q in %s", tc.empty, out)
			}
			if !strings.Contains(out, ">deals</text>") || !strings.Contains(out, ">partner</text>") {
				t.Fatal("axis titles missing")
			}
			bars := rectWidth.FindAllStringSubmatch(out, -1)
			if len(bars) != tc.n*tc.series {
				t.Fatalf("%d bars, want %d", len(bars), tc.n*tc.series)
			}
			for _, b := range bars {
				x, _ := strconv.ParseFloat(b[1], 64)
				w, _ := strconv.ParseFloat(b[2], 64)
				if w < minBarWidth-1 || w > maxBarWidth || x < chartLeft || x+w > chartW-chartRight {
					t.Fatalf("bar at %.1f of width %.1f", x, w)
				}
			}
			ticks := tickLabel.FindAllStringSubmatch(out, -1)
			if tc.n > 0 && len(ticks) == 0 {
				t.Fatal("no slot labels")
			}
			for i := 1; i < len(ticks); i++ {
				a, _ := strconv.ParseFloat(ticks[i-1][1], 64)
				b, _ := strconv.ParseFloat(ticks[i][1], 64)
				room := float64(len([]rune(ticks[i-1][3]))+len([]rune(ticks[i][3])))/2*charWidth + 4
				if b-a < room {
					t.Fatalf("labels %q and %q overlap: %.1f apart, need %.1f", ticks[i-1][3], ticks[i][3], b-a, room)
				}
			}
			if strings.Count(out, `class="tick" text-anchor="end"`) != gridLines+1 {
				t.Fatalf("want %d y-axis values", gridLines+1)
			}
		})
	}
	for maxV, want := range map[int64]int64{0: 1, 1: 1, 4: 1, 5: 2, 9: 5, 100: 50, 101: 50, 201: 100, 1999: 500} {
		if got := niceStep(maxV); got != want || got*gridLines < maxV {
			t.Errorf("niceStep(%d) = %d, want %d", maxV, got, want)
		}
	}
}
