package api

import (
	"github.com/dealflow/dealflow/internal/steps"
	"github.com/dealflow/dealflow/read"
)

// leadDocs documents the lead context's routes for the OpenAPI description.
func leadDocs() map[string]routeDoc {
	lv := leadView{}
	return map[string]routeDoc{
		"POST /v1/leads":                    {Summary: "Create a lead and route it (waits until its first offer is made or it is queued)", Body: steps.CreateLeadRequest{}, Response: lv, Status: 201},
		"POST /v1/leads/import":             {Summary: "Import leads from text/csv (header row; product_lines and tags separated by ';'); any bad line refuses the whole file", Response: map[string]any{"imported": 0, "lead_ids": []string{}}, Status: 201, Query: []string{"program_id"}},
		"GET /v1/leads":                     {Summary: "Leads, newest first (partners: only leads offered to them)", Response: map[string]any{"leads": []leadView{}}, Query: []string{"status", "limit"}},
		"GET /v1/lead-scorecard":            {Summary: "Per partner: leads offered, accepted, declined, timed out, pulled back, median time to accept, acceptance and conversion rates, won value per currency (partners: their own)", Response: map[string]any{"partners": []read.LeadScorecardLine{}}},
		"GET /v1/leads/:id":                 {Summary: "A lead with its offers (partners: their own) and, for the vendor, its history", Response: lv},
		"POST /v1/leads/:id/accept":         {Summary: "Accept an offered lead: the first acceptance wins and becomes a vendor-sourced registration", Body: leadStepBody{}, Response: lv},
		"POST /v1/leads/:id/decline":        {Summary: "Decline an offered lead (reason required); it moves to the next match", Body: leadStepBody{}, Response: lv},
		"POST /v1/leads/:id/contacted":      {Summary: "Record first contact on an accepted lead (stops the pullback deadline)", Body: leadStepBody{}, Response: lv},
		"POST /v1/leads/:id/reoffer":        {Summary: "Channel managers: route an offered or queued lead again by the rules (open offers withdrawn, offer budget starts over)", Body: steps.LeadManageRequest{}, Response: lv},
		"POST /v1/leads/:id/assign":         {Summary: "Channel managers: offer an offered or queued lead to the named partner_id alone, with the usual accept deadline", Body: steps.LeadManageRequest{}, Response: lv},
		"POST /v1/leads/:id/close":          {Summary: "Channel managers: close an offered or queued lead (close_reason duplicate, junk, no_interest or other with a reason)", Body: steps.LeadManageRequest{}, Response: lv},
		"POST /v1/leads/:id/convert":        {Summary: "Channel managers: convert a queued lead into a registration (kind vendor_sourced for partner_id, or referral credited to the referring partner); the lead links to its deal", Body: steps.LeadManageRequest{}, Response: lv},
		"PUT /v1/programs/:id/lead-routing": {Summary: "Set a program's lead policy and ordered routing rules", Body: steps.LeadRoutingRequest{}, Response: map[string]any{}},
		"POST /v1/referral-codes":           {Summary: "Create a referral code for the calling partner user", Response: map[string]any{"code": "", "url": ""}, Status: 201},
		"GET /v1/referral-codes":            {Summary: "Referral codes with click, lead and won counts (partners: their own)", Response: map[string]any{"codes": []any{}}},
		"POST /v1/referral-landings":        {Summary: "Allow a landing URL referral links may redirect to", Body: referralLandingRequest{}, Response: map[string]any{"url": ""}, Status: 201},
		"POST /v1/referrals":                {Summary: "A partner's referral: a lead attributed to it, conflict-screened, queued for the vendor", Body: steps.CreateLeadRequest{}, Response: lv, Status: 201},
		"GET /r/:code":                      {Summary: "A referral link: records the click (salted address hash, browser family, time), sets the attribution cookie, redirects (302) to an allow-listed ?to= or the lead form", Status: 302, Query: []string{"to"}},
		"GET /lead-form":                    {Summary: "The public lead form (HTML, no JavaScript)", Media: "text/html", Query: []string{"ref"}},
		"POST /lead-form":                   {Summary: "Submit the public lead form (application/x-www-form-urlencoded); HTML answer: 201 thanks, 422 with errors, 413, 429", Media: "text/html", Status: 201},
		"PUT /v1/partners/:id/lead-profile": {Summary: "Set what a partner covers for leads, its capacity and weight", Body: steps.LeadProfileRequest{}, Response: map[string]any{}},
	}
}
