package console

import (
	"fmt"
	"hash/fnv"
	"html"
	"html/template"
	"math"
	"strings"
)

// chart is a grouped vertical bar chart: one bar per series in each
// labelled slot, values as formatted by Format.
type chart struct {
	Title  string
	Labels []string
	Series [][]int64
	Names  []string
	Format func(int64) string
	// XAxis and YAxis name what the axes count ("month of registration",
	// "deals").
	XAxis, YAxis string
}

// The chart's geometry, in SVG units: the plot sits inside the margins.
const (
	chartW, chartH                                     = 720, 280
	chartLeft, chartRight, chartTop, chartBottom       = 88, 16, 20, 64
	minBarWidth, maxBarWidth, charWidth, gridLines     = 2.0, 56.0, 6.6, 4
	labelChars                                         = 14
	plotW                                          int = chartW - chartLeft - chartRight
	plotH                                          int = chartH - chartTop - chartBottom
)

// niceStep is the gridline step for values up to maxV: 1, 2 or 5 times a
// power of ten, at least 1 (values are counts or minor units), so that
// gridLines steps cover maxV.
func niceStep(maxV int64) int64 {
	if maxV <= gridLines {
		return 1
	}
	raw := float64(maxV) / gridLines
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return int64(m * p)
		}
	}
	return int64(10 * p)
}

// render draws the chart as an accessible SVG (a title, a description
// listing every value, a legend): gridlines with their values, axis
// titles, bars at least minBarWidth and at most maxBarWidth wide centred in
// their slots, and as many slot labels as fit without overlapping (every
// k-th). With no values above zero it says so instead of drawing empty
// bars.
func (ch chart) render() template.HTML {
	var maxV int64
	for _, s := range ch.Series {
		for _, v := range s {
			maxV = max(maxV, v)
		}
	}
	step := niceStep(maxV)
	top := step * gridLines
	h := fnv.New32a()
	_, _ = h.Write([]byte(ch.Title))
	id := h.Sum32()
	var desc []string
	for i, l := range ch.Labels {
		var vals []string
		for si, s := range ch.Series {
			vals = append(vals, ch.Names[si]+" "+ch.Format(s[i]))
		}
		desc = append(desc, l+": "+strings.Join(vals, ", "))
	}
	if len(desc) == 0 {
		desc = []string{"no data in this period"}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<figure class="chart"><svg viewBox="0 0 %d %d" role="img" aria-labelledby="t%d d%[3]d" xmlns="http://www.w3.org/2000/svg">`, chartW, chartH, id)
	fmt.Fprintf(&b, `<title id="t%d">%s</title><desc id="d%[1]d">%s</desc>`, id, html.EscapeString(ch.Title), html.EscapeString(strings.Join(desc, "; ")))
	base := chartTop + plotH
	for g := 0; g <= gridLines; g++ {
		y := float64(base) - float64(plotH)*float64(g)/gridLines
		class := "grid"
		if g == 0 {
			class = "axis"
		}
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" class="%s"/>`, chartLeft, y, chartW-chartRight, y, class)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" class="tick" text-anchor="end">%s</text>`, chartLeft-6, y+4, html.EscapeString(ch.Format(step*int64(g))))
	}
	fmt.Fprintf(&b, `<text x="14" y="%d" class="axis-title" text-anchor="middle" transform="rotate(-90 14 %[1]d)">%s</text>`, chartTop+plotH/2, html.EscapeString(ch.YAxis))
	fmt.Fprintf(&b, `<text x="%d" y="%d" class="axis-title" text-anchor="middle">%s</text>`, chartLeft+plotW/2, chartH-8, html.EscapeString(ch.XAxis))
	n := len(ch.Labels)
	switch {
	case n == 0:
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="empty" text-anchor="middle">No deals in this period</text>`, chartLeft+plotW/2, chartTop+plotH/2)
	case maxV <= 0:
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="empty" text-anchor="middle">Nothing above zero in this period</text>`, chartLeft+plotW/2, chartTop+plotH/2)
	}
	if n > 0 {
		slot := float64(plotW) / float64(n)
		bw := math.Min(maxBarWidth, math.Max(minBarWidth, slot*0.8/float64(len(ch.Series))))
		group := bw * float64(len(ch.Series))
		widest := 0
		for _, l := range ch.Labels {
			widest = max(widest, min(len([]rune(l)), labelChars))
		}
		every := max(1, int(math.Ceil((float64(widest)*charWidth+8)/slot)))
		for i, l := range ch.Labels {
			mid := float64(chartLeft) + slot*(float64(i)+0.5)
			x0 := mid - group/2
			for si, s := range ch.Series {
				v := max(s[i], 0)
				bh := float64(plotH) * float64(v) / float64(top)
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="bar s%d"><title>%s</title></rect>`,
					x0+bw*float64(si), float64(base)-bh, math.Max(bw-1, minBarWidth-1), bh, si, html.EscapeString(l+" "+ch.Names[si]+": "+ch.Format(s[i])))
			}
			if i%every != 0 {
				continue
			}
			label := []rune(l)
			if len(label) > labelChars {
				label = append(label[:labelChars-1], '…')
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="tick" text-anchor="middle">%s</text>`, mid, base+16, html.EscapeString(string(label)))
		}
	}
	b.WriteString(`</svg><figcaption>`)
	b.WriteString(html.EscapeString(ch.Title))
	for si, n := range ch.Names {
		fmt.Fprintf(&b, ` <span class="key s%d">■</span> %s`, si, html.EscapeString(n))
	}
	b.WriteString(`</figcaption></figure>`)
	return template.HTML(b.String()) //nolint:gosec // built from escaped values above
}
