package quotedoc

import (
	_ "embed"
	"strings"
	"time"

	"github.com/dealflow/dealflow/read"
	"github.com/signintech/gopdf"
)

// DejaVu Sans (fonts/LICENSE: the Bitstream Vera licence), embedded so
// that every glyph of Latin, Greek and Cyrillic names prints the same
// everywhere; a glyph it lacks is substituted, never an error.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

// A4 portrait, in points, and the page's margins.
const (
	pageW, pageH = 595.28, 841.89
	left, right  = 40.0, 555.0
	top, bottom  = 40.0, 800.0
)

// Column edges of the line items table: text columns start at their x,
// figures end at it (right-aligned).
const (
	colNo, colSKU, colName           = left, 58.0, 140.0
	colQty, colUnit, colList, colNet = 345.0, 415.0, 485.0, right
	colStep                          = 70.0
)

// pdfDoc is a page being written: the cursor's y and the fonts.
type pdfDoc struct {
	pdf *gopdf.GoPdf
	y   float64
	err error
}

// PDF renders doc as an A4 PDF with the waterfall shown as mode says.
// The PDF's creation date is the quote's last change, so the same quote
// renders to the same bytes.
func PDF(doc read.QuoteDocument, mode Waterfall) ([]byte, error) {
	m := build(doc, mode)
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: gopdf.Rect{W: pageW, H: pageH}})
	pdf.SetInfo(gopdf.PdfInfo{Title: m.Title, Creator: "dealflow", Producer: "dealflow (gopdf)", CreationDate: doc.Quote.UpdatedAt.UTC().Truncate(time.Second)})
	if err := pdf.AddTTFFontData("sans", fontRegular); err != nil {
		return nil, err
	}
	if err := pdf.AddTTFFontDataWithOption("sans", fontBold, gopdf.TtfOption{Style: gopdf.Bold}); err != nil {
		return nil, err
	}
	d := &pdfDoc{pdf: pdf}
	pdf.AddPage()
	d.y = top
	d.write(m)
	if d.err != nil {
		return nil, d.err
	}
	return pdf.GetBytesPdfReturnErr()
}

func (d *pdfDoc) font(bold bool, size float64) {
	style := ""
	if bold {
		style = "B"
	}
	if err := d.pdf.SetFont("sans", style, size); err != nil && d.err == nil {
		d.err = err
	}
}

// need starts a new page unless h more points fit on this one.
func (d *pdfDoc) need(h float64) {
	if d.y+h > bottom {
		d.pdf.AddPage()
		d.y = top
	}
}

// text writes s at x on the current row, cut to fit width (0: no limit).
func (d *pdfDoc) text(x float64, s string, width float64) {
	if width > 0 {
		s = d.fit(s, width)
	}
	d.pdf.SetXY(x, d.y)
	if err := d.pdf.Cell(nil, s); err != nil && d.err == nil {
		d.err = err
	}
}

// figure writes s right-aligned, ending at x.
func (d *pdfDoc) figure(x float64, s string) {
	w, err := d.pdf.MeasureTextWidth(s)
	if err != nil && d.err == nil {
		d.err = err
	}
	d.text(x-w, s, 0)
}

// fit cuts s to width, ending it with an ellipsis when cut.
func (d *pdfDoc) fit(s string, width float64) string {
	if w, err := d.pdf.MeasureTextWidth(s); err != nil || w <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 {
		r = r[:len(r)-1]
		if w, err := d.pdf.MeasureTextWidth(string(r) + "…"); err == nil && w <= width {
			break
		}
	}
	return string(r) + "…"
}

// wrap splits s into lines no wider than width, at spaces.
func (d *pdfDoc) wrap(s string, width float64) []string {
	var out []string
	line := ""
	for _, word := range strings.Fields(s) {
		next := word
		if line != "" {
			next = line + " " + word
		}
		if w, err := d.pdf.MeasureTextWidth(next); err == nil && w > width && line != "" {
			out = append(out, line)
			next = word
		}
		line = next
	}
	if line != "" {
		out = append(out, d.fit(line, width))
	}
	return out
}

func (d *pdfDoc) rule() {
	d.pdf.SetLineWidth(0.5)
	d.pdf.Line(left, d.y, right, d.y)
}

func (d *pdfDoc) write(m model) {
	d.font(true, 14)
	d.text(left, m.Title, right-left)
	d.y += 24
	d.font(false, 9)
	rows := max(len(m.Parties), len(m.Header))
	for i := range rows {
		if i < len(m.Parties) {
			d.labelled(left, m.Parties[i], 230)
		}
		if i < len(m.Header) {
			d.labelled(285, m.Header[i], right-285)
		}
		d.y += 13
	}
	if m.Empty {
		d.y += 10
		d.text(left, "This quote has no priced version.", 0)
		return
	}
	d.y += 12
	d.font(true, 11)
	d.text(left, "Line items ("+m.Currency+")", 0)
	d.y += 18
	d.font(true, 8)
	d.text(colNo, "#", 0)
	d.text(colSKU, "SKU and product", 0)
	d.figure(colQty, "Quantity")
	d.figure(colUnit, "Unit list price")
	d.figure(colList, "List amount")
	d.figure(colNet, "Net")
	d.y += 12
	d.rule()
	d.y += 4
	for _, it := range m.Items {
		d.need(14 + 11*float64(len(it.Steps)))
		d.font(true, 9)
		d.text(colNo, itoa(it.No), 0)
		d.product(it.SKU, it.Name, colQty-colSKU-52)
		d.figure(colQty, it.Quantity)
		d.figure(colUnit, it.UnitList)
		d.figure(colList, it.ListAmount)
		d.figure(colNet, it.Net)
		d.y += 13
		if m.Mode == PerLine {
			d.font(false, 8)
			for _, s := range it.Steps {
				label := s.Label
				if s.Rule != "" {
					label += ": " + s.Rule
				}
				d.text(colStep, label, colQty-colStep-50)
				d.figure(colQty, s.Rate)
				d.figure(colList, s.Discount)
				d.figure(colNet, s.Amount)
				d.y += 11
			}
			d.y += 3
		}
	}
	if m.Mode == PerQuote {
		d.need(40 + 12*float64(len(m.Waterfall)))
		d.y += 10
		d.font(true, 11)
		d.text(left, "Price waterfall (all lines)", 0)
		d.y += 18
		d.font(true, 8)
		d.text(left, "Step", 0)
		d.figure(colList, "Discount")
		d.figure(colNet, "Amount")
		d.y += 12
		d.rule()
		d.y += 4
		d.font(false, 9)
		for _, s := range m.Waterfall {
			d.text(left, s.Label, 150)
			d.text(200, s.Rule, 150)
			d.figure(colList, s.Discount)
			d.figure(colNet, s.Amount)
			d.y += 12
		}
	}
	d.need(30 + 13*float64(len(m.Totals)))
	d.y += 4
	d.rule()
	d.y += 8
	d.font(true, 9)
	for _, t := range m.Totals {
		d.text(colUnit, t.Label, 0)
		d.figure(colNet, t.Value)
		d.y += 13
	}
	d.y += 12
	d.need(30)
	d.font(true, 11)
	d.text(left, "Terms", 0)
	d.y += 16
	d.font(false, 8)
	for _, t := range m.Terms {
		for i, l := range d.wrap(t, right-left-10) {
			d.need(11)
			if i == 0 {
				d.text(left, "•", 0)
			}
			d.text(left+10, l, 0)
			d.y += 11
		}
	}
}

// labelled writes "Label: value" at x, cut to width.
func (d *pdfDoc) labelled(x float64, f field, width float64) {
	d.font(false, 9)
	d.text(x, f.Label+": "+f.Value, width)
}

// product writes a line's SKU in full — in a smaller type when a long SKU
// needs it — then its name in what room is left, within width.
func (d *pdfDoc) product(sku, name string, width float64) {
	size := 9.0
	w, _ := d.pdf.MeasureTextWidth(sku)
	for size > 5 && w > width*0.6 {
		size -= 0.5
		d.font(true, size)
		w, _ = d.pdf.MeasureTextWidth(sku)
	}
	// Cells are placed by their top: lower a smaller type by the
	// difference of the ascents (DejaVu's is 0.928 em) so both share one
	// baseline, and a reader of the text sees one row.
	y := d.y
	d.y += (9 - size) * 0.928
	d.text(colSKU, sku, width)
	d.y = y
	d.font(false, 9)
	if rest := width - w - 8; rest > 20 {
		d.text(colSKU+w+8, name, rest)
	}
	d.font(true, 9)
}
