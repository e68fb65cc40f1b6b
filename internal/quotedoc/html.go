package quotedoc

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html/template"

	"github.com/dealflow/dealflow/read"
)

// style is the HTML view's only style sheet, inline so the page stands on
// its own (saved, mailed, printed); ContentSecurityPolicy allows exactly it.
const style = `body{font-family:"DejaVu Sans",Verdana,sans-serif;font-size:13px;color:#111;margin:2em auto;max-width:60em}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}
table{border-collapse:collapse;width:100%}th,td{padding:.25em .5em;text-align:left;vertical-align:top}
th{border-bottom:1px solid #888}td.n,th.n{text-align:right;white-space:nowrap}
tr.item td{border-top:1px solid #ccc;font-weight:bold}tr.step td{color:#444;font-size:.92em}tr.step td.label{padding-left:2em}
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:bold}dd{margin:0}
tfoot td{border-top:1px solid #888;font-weight:bold}`

// ContentSecurityPolicy is the header the HTML view is served with: no
// scripts, nothing loaded, only its own inline style sheet.
var ContentSecurityPolicy = func() string {
	sum := sha256.Sum256([]byte(style))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; frame-ancestors 'none'"
}()

var page = template.Must(template.New("quote").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title><style>` + style + `</style></head>
<body>
<h1>{{.Title}}</h1>
<dl class="parties">{{range .Parties}}<dt>{{.Label}}</dt><dd>{{.Value}}</dd>{{end}}</dl>
<dl class="quote">{{range .Header}}<dt>{{.Label}}</dt><dd>{{.Value}}</dd>{{end}}</dl>
{{if .Empty}}<p>This quote has no priced version.</p>{{else}}
<h2>Line items ({{.Currency}})</h2>
<table class="items">
<thead><tr><th>#</th><th>SKU</th><th>Product</th><th class="n">Quantity</th><th class="n">Unit list price</th><th class="n">List amount</th><th class="n">Net</th></tr></thead>
<tbody>
{{range .Items}}<tr class="item" data-line="{{.No}}"><td>{{.No}}</td><td>{{.SKU}}</td><td>{{.Name}}</td><td class="n">{{.Quantity}}</td><td class="n">{{.UnitList}}</td><td class="n">{{.ListAmount}}</td><td class="n net">{{.Net}}</td></tr>
{{if eq $.Mode "lines"}}{{range .Steps}}<tr class="step"><td></td><td class="label" colspan="2">{{.Label}}{{if .Rule}}: {{.Rule}}{{end}}</td><td class="n">{{.Rate}}</td><td class="n"></td><td class="n discount">{{.Discount}}</td><td class="n amount">{{.Amount}}</td></tr>
{{end}}{{end}}{{end}}</tbody>
</table>
{{if eq .Mode "quote"}}<h2>Price waterfall (all lines)</h2>
<table class="waterfall">
<thead><tr><th>Step</th><th></th><th class="n">Discount</th><th class="n">Amount</th></tr></thead>
<tbody>{{range .Waterfall}}<tr class="step"><td>{{.Label}}</td><td>{{.Rule}}</td><td class="n discount">{{.Discount}}</td><td class="n amount">{{.Amount}}</td></tr>
{{end}}</tbody>
</table>{{end}}
<h2>Totals</h2>
<dl class="totals">{{range .Totals}}<dt>{{.Label}}</dt><dd>{{.Value}}</dd>{{end}}</dl>
<h2>Terms</h2>
<ul class="terms">{{range .Terms}}<li>{{.}}</li>{{end}}</ul>
{{end}}
</body></html>
`))

// HTML renders doc as a standalone HTML page with the waterfall shown as
// mode says.
func HTML(doc read.QuoteDocument, mode Waterfall) ([]byte, error) {
	var b bytes.Buffer
	if err := page.Execute(&b, build(doc, mode)); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
