package domain

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// fieldsOf returns the field names ("sla.review_within") that Validate's
// "field: problem" texts start with, in order.
func fieldsOf(errs []string) []string {
	var fields []string
	for _, e := range errs {
		f, _, ok := strings.Cut(e, ": ")
		if !ok {
			f = "<no field in " + e + ">"
		}
		fields = append(fields, f)
	}
	return fields
}

// TestDefaultPolicyValues proves DefaultPolicy holds the documented defaults of the default program.
func TestDefaultPolicyValues(t *testing.T) {
	p := DefaultPolicy()
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"sla.review_within", p.SLA.ReviewWithin.D(), 48 * time.Hour},
		{"sla.reminder_at", p.SLA.ReminderAt.D(), 24 * time.Hour},
		{"sla.escalation_contact", p.SLA.EscalationContact, ""},
		{"sla.auto_action.action", p.SLA.AutoAction.Action, "wait"},
		{"sla.auto_action.after", p.SLA.AutoAction.After.D(), time.Duration(0)},
		{"protection.days", p.Protection.Days, 90},
		{"protection.reminder_days_before", p.Protection.ReminderDaysBefore, []int{14, 3}},
		{"protection.max_extensions", p.Protection.MaxExtensions, 1},
		{"protection.extension_days", p.Protection.ExtensionDays, 30},
		{"auto_approve.enabled", p.AutoApprove.Enabled, false},
		{"auto_approve.min_tier", p.AutoApprove.MinTier, "gold"},
		{"auto_approve.max_amount", p.AutoApprove.MaxAmount, map[string]int64{"USD": 25_000_00}},
		{"auto_reject.reserved_domains", len(p.AutoReject.ReservedDomains), 0},
		{"correction_window_days", p.CorrectionWindowDays, 365},
		{"second_approval_at", p.SecondApprovalAt, map[string]int64{
			"USD": 10_000_000, "EUR": 10_000_000, "GBP": 10_000_000, "CHF": 10_000_000,
			"CAD": 10_000_000, "AUD": 10_000_000, "JPY": 15_000_000,
		}},
		{"kinds", p.Kinds, map[PartnerType][]Kind{
			PartnerReseller:    {KindResale, KindReferral},
			PartnerVAR:         {KindResale, KindReferral},
			PartnerDistributor: {KindResale, KindReferral},
			PartnerMSP:         {KindResale, KindReferral},
			PartnerSI:          {KindResale, KindReferral},
			PartnerReferral:    {KindReferral},
			PartnerAgent:       {KindReferral},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("DefaultPolicy().%s = %v, want %v", tt.name, tt.got, tt.want)
			}
		})
	}
}

// TestDefaultPolicyValid proves the default policy passes its own validation.
func TestDefaultPolicyValid(t *testing.T) {
	if errs := DefaultPolicy().Validate(); len(errs) != 0 {
		t.Errorf("DefaultPolicy().Validate() = %q, want none", errs)
	}
}

// TestDefaultPolicyKindsCoverEveryPartnerType proves the default policy names every partner type, so none is silently refused.
func TestDefaultPolicyKindsCoverEveryPartnerType(t *testing.T) {
	p := DefaultPolicy()
	if len(p.Kinds) != len(PartnerTypes) {
		t.Errorf("len(DefaultPolicy().Kinds) = %d, want %d", len(p.Kinds), len(PartnerTypes))
	}
	for _, pt := range PartnerTypes {
		if len(p.Kinds[pt]) == 0 {
			t.Errorf("DefaultPolicy().Kinds[%q] is empty", pt)
		}
	}
}

// TestDefaultPolicyFreshEachCall proves changing one DefaultPolicy value does not leak into the next call.
func TestDefaultPolicyFreshEachCall(t *testing.T) {
	a := DefaultPolicy()
	a.SecondApprovalAt["USD"] = 1
	a.AutoApprove.MaxAmount["USD"] = 1
	a.Kinds[PartnerAgent] = []Kind{KindResale}
	a.Protection.ReminderDaysBefore[0] = 99
	a.AutoReject.ReservedDomains = append(a.AutoReject.ReservedDomains, "acme.com")

	b := DefaultPolicy()
	if b.SecondApprovalAt["USD"] != 10_000_000 {
		t.Errorf("SecondApprovalAt[USD] = %d after mutating an earlier copy", b.SecondApprovalAt["USD"])
	}
	if b.AutoApprove.MaxAmount["USD"] != 25_000_00 {
		t.Errorf("AutoApprove.MaxAmount[USD] = %d after mutating an earlier copy", b.AutoApprove.MaxAmount["USD"])
	}
	if !reflect.DeepEqual(b.Kinds[PartnerAgent], []Kind{KindReferral}) {
		t.Errorf("Kinds[agent] = %v after mutating an earlier copy", b.Kinds[PartnerAgent])
	}
	if !reflect.DeepEqual(b.Protection.ReminderDaysBefore, []int{14, 3}) {
		t.Errorf("ReminderDaysBefore = %v after mutating an earlier copy", b.Protection.ReminderDaysBefore)
	}
	if len(b.AutoReject.ReservedDomains) != 0 {
		t.Errorf("ReservedDomains = %v after mutating an earlier copy", b.AutoReject.ReservedDomains)
	}
}

// TestParsePolicyEmptyGivesDefault proves input with nothing to say (empty, blank, "{}", "null") yields exactly DefaultPolicy.
func TestParsePolicyEmptyGivesDefault(t *testing.T) {
	tests := []struct {
		name string
		raw  []byte
	}{
		{"nil", nil},
		{"empty", []byte("")},
		{"blank", []byte(" \n\t ")},
		{"empty object", []byte("{}")},
		{"empty object with spaces", []byte("  { }\n")},
		{"null", []byte("null")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePolicy(tt.raw)
			if err != nil {
				t.Fatalf("ParsePolicy(%q) error: %v", tt.raw, err)
			}
			if want := DefaultPolicy(); !reflect.DeepEqual(got, want) {
				t.Errorf("ParsePolicy(%q) = %+v, want DefaultPolicy() %+v", tt.raw, got, want)
			}
		})
	}
}

// TestParsePolicyPartialOverride proves a program's JSON changes only the fields it states: nested structs keep unstated fields, stated slices and maps replace the default whole, and an unstated reminder is half the review SLA.
func TestParsePolicyPartialOverride(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		edit func(*Policy) // applied to DefaultPolicy to give the expected result
	}{
		{
			name: "protection days only keeps reminders and extensions",
			raw:  `{"protection":{"days":60}}`,
			edit: func(p *Policy) { p.Protection.Days = 60 },
		},
		{
			name: "reminder days replace the default list rather than merging",
			raw:  `{"protection":{"reminder_days_before":[7]}}`,
			edit: func(p *Policy) { p.Protection.ReminderDaysBefore = []int{7} },
		},
		{
			name: "longer reminder list replaces the default list",
			raw:  `{"protection":{"reminder_days_before":[30,14,7,1]}}`,
			edit: func(p *Policy) { p.Protection.ReminderDaysBefore = []int{30, 14, 7, 1} },
		},
		{
			name: "empty reminder list means no reminders",
			raw:  `{"protection":{"reminder_days_before":[]}}`,
			edit: func(p *Policy) { p.Protection.ReminderDaysBefore = []int{} },
		},
		{
			name: "sla escalation contact keeps durations and auto action",
			raw:  `{"sla":{"escalation_contact":"ops@vendor.example"}}`,
			edit: func(p *Policy) { p.SLA.EscalationContact = "ops@vendor.example" },
		},
		{
			name: "sla auto action after keeps action wait",
			raw:  `{"sla":{"auto_action":{"after":"96h"}}}`,
			edit: func(p *Policy) { p.SLA.AutoAction.After = Duration(96 * time.Hour) },
		},
		{
			name: "sla auto action approve",
			raw:  `{"sla":{"auto_action":{"after":"72h","action":"approve"}}}`,
			edit: func(p *Policy) {
				p.SLA.AutoAction = AutoAction{After: Duration(72 * time.Hour), Action: "approve"}
			},
		},
		{
			name: "sla reminder_at only",
			raw:  `{"sla":{"reminder_at":"36h"}}`,
			edit: func(p *Policy) { p.SLA.ReminderAt = Duration(36 * time.Hour) },
		},
		{
			name: "sla reminder_at 0 means none",
			raw:  `{"sla":{"reminder_at":"0"}}`,
			edit: func(p *Policy) { p.SLA.ReminderAt = 0 },
		},
		{
			name: "auto approve enabled keeps min tier and max amount",
			raw:  `{"auto_approve":{"enabled":true}}`,
			edit: func(p *Policy) { p.AutoApprove.Enabled = true },
		},
		{
			name: "auto approve max amount replaces the default map",
			raw:  `{"auto_approve":{"max_amount":{"EUR":2000000}}}`,
			edit: func(p *Policy) { p.AutoApprove.MaxAmount = map[string]int64{"EUR": 2_000_000} },
		},
		{
			name: "second approval thresholds stated replace the default map",
			raw:  `{"second_approval_at":{"SEK":50000000}}`,
			edit: func(p *Policy) { p.SecondApprovalAt = map[string]int64{"SEK": 50_000_000} },
		},
		{
			name: "second approval threshold overridden for a listed currency",
			raw:  `{"second_approval_at":{"USD":5000000}}`,
			edit: func(p *Policy) { p.SecondApprovalAt = map[string]int64{"USD": 5_000_000} },
		},
		{
			name: "second approval null clears the whole map",
			raw:  `{"second_approval_at":null}`,
			edit: func(p *Policy) { p.SecondApprovalAt = nil },
		},
		{
			name: "kinds stated replace the default map",
			raw:  `{"kinds":{"agent":["resale","referral"]}}`,
			edit: func(p *Policy) { p.Kinds = map[PartnerType][]Kind{PartnerAgent: {KindResale, KindReferral}} },
		},
		{
			name: "kinds narrowed for one partner type",
			raw:  `{"kinds":{"msp":["resale"]}}`,
			edit: func(p *Policy) { p.Kinds = map[PartnerType][]Kind{PartnerMSP: {KindResale}} },
		},
		{
			name: "reserved domains",
			raw:  `{"auto_reject":{"reserved_domains":["acme.com","globex.co.uk"]}}`,
			edit: func(p *Policy) { p.AutoReject.ReservedDomains = []string{"acme.com", "globex.co.uk"} },
		},
		{
			name: "correction window 0 is allowed",
			raw:  `{"correction_window_days":0}`,
			edit: func(p *Policy) { p.CorrectionWindowDays = 0 },
		},
		{
			name: "several sections at once",
			raw:  `{"sla":{"review_within":"72h"},"protection":{"max_extensions":0},"correction_window_days":30}`,
			edit: func(p *Policy) {
				p.SLA.ReviewWithin = Duration(72 * time.Hour)
				p.SLA.ReminderAt = Duration(36 * time.Hour)
				p.Protection.MaxExtensions = 0
				p.CorrectionWindowDays = 30
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePolicy([]byte(tt.raw))
			if err != nil {
				t.Fatalf("ParsePolicy(%s) error: %v", tt.raw, err)
			}
			want := DefaultPolicy()
			tt.edit(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("ParsePolicy(%s)\n got %+v\nwant %+v", tt.raw, got, want)
			}
		})
	}
}

// TestParsePolicyProtectionDaysBelowDefaultReminders proves shortening protection.days below a kept default reminder is refused, so a program must restate its reminders too.
func TestParsePolicyProtectionDaysBelowDefaultReminders(t *testing.T) {
	_, err := ParsePolicy([]byte(`{"protection":{"days":10}}`))
	if err == nil || !strings.Contains(err.Error(), "protection.reminder_days_before") {
		t.Fatalf("ParsePolicy(days 10) error = %v, want one naming protection.reminder_days_before", err)
	}
	p, err := ParsePolicy([]byte(`{"protection":{"days":10,"reminder_days_before":[3]}}`))
	if err != nil {
		t.Fatalf("ParsePolicy(days 10, reminders [3]) error: %v", err)
	}
	if p.Protection.Days != 10 || !reflect.DeepEqual(p.Protection.ReminderDaysBefore, []int{3}) {
		t.Errorf("Protection = %+v, want days 10 and reminders [3]", p.Protection)
	}
}

// TestParsePolicyRefusesMalformedJSON proves unknown fields, wrong JSON types and bad duration texts are refused with an error that says what is wrong.
func TestParsePolicyRefusesMalformedJSON(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		wantErr string
	}{
		{"unknown top-level field", `{"bogus":1}`, `unknown field "bogus"`},
		{"unknown nested field in sla", `{"sla":{"review_in":"48h"}}`, `unknown field "review_in"`},
		{"unknown nested field in protection", `{"protection":{"day":60}}`, `unknown field "day"`},
		{"unknown nested field in auto_action", `{"sla":{"auto_action":{"when":"1h"}}}`, `unknown field "when"`},
		{"misspelt section", `{"protections":{"days":60}}`, `unknown field "protections"`},
		{"bad duration text", `{"sla":{"review_within":"2 days"}}`, `invalid duration "2 days"`},
		{"bad duration unit", `{"sla":{"reminder_at":"3w"}}`, `invalid duration "3w"`},
		{"duration as number", `{"sla":{"review_within":48}}`, `a duration is written as text such as "48h"`},
		{"bad auto action duration", `{"sla":{"auto_action":{"after":"soon"}}}`, `invalid duration "soon"`},
		{"days as text", `{"protection":{"days":"60"}}`, "cannot unmarshal"},
		{"array instead of object", `[]`, "cannot unmarshal"},
		{"kinds as list", `{"kinds":["resale"]}`, "cannot unmarshal"},
		{"truncated JSON", `{"protection":{"days":60}`, "unexpected EOF"},
		{"not JSON", `days: 60`, "invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePolicy([]byte(tt.raw))
			if err == nil {
				t.Fatalf("ParsePolicy(%s) = %+v, want an error", tt.raw, p)
			}
			if !strings.HasPrefix(err.Error(), "policy: ") {
				t.Errorf("error %q does not start with \"policy: \"", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
			if !reflect.DeepEqual(p, Policy{}) {
				t.Errorf("ParsePolicy(%s) returned %+v with its error, want the zero Policy", tt.raw, p)
			}
		})
	}
}

// TestParsePolicyRefusesInvalidPolicy proves every Validate rule reached through JSON makes ParsePolicy fail with an error naming the field.
func TestParsePolicyRefusesInvalidPolicy(t *testing.T) {
	tests := []struct {
		name      string
		raw       string
		wantField string
	}{
		{"review_within under a minute", `{"sla":{"review_within":"59s"}}`, "sla.review_within"},
		{"reminder_at equal to review_within", `{"sla":{"reminder_at":"48h"}}`, "sla.reminder_at"},
		{"reminder_at after review_within", `{"sla":{"reminder_at":"72h"}}`, "sla.reminder_at"},
		{"auto action maybe", `{"sla":{"auto_action":{"action":"maybe"}}}`, "sla.auto_action.action"},
		{"auto action after equal to review_within", `{"sla":{"auto_action":{"after":"48h"}}}`, "sla.auto_action.after"},
		{"auto action after before review_within", `{"sla":{"auto_action":{"after":"1h"}}}`, "sla.auto_action.after"},
		{"escalation contact without @", `{"sla":{"escalation_contact":"ops.vendor.example"}}`, "sla.escalation_contact"},
		{"protection days 4000", `{"protection":{"days":4000}}`, "protection.days"},
		{"protection days 0", `{"protection":{"days":0,"reminder_days_before":[]}}`, "protection.days"},
		{"reminder day equal to days", `{"protection":{"reminder_days_before":[90]}}`, "protection.reminder_days_before"},
		{"max extensions -1", `{"protection":{"max_extensions":-1}}`, "protection.max_extensions"},
		{"extension days 0", `{"protection":{"extension_days":0}}`, "protection.extension_days"},
		{"auto approve unknown min tier", `{"auto_approve":{"enabled":true,"min_tier":"diamond"}}`, "auto_approve.min_tier"},
		{"reserved www host", `{"auto_reject":{"reserved_domains":["www.acme.com"]}}`, "auto_reject.reserved_domains"},
		{"reserved not a domain", `{"auto_reject":{"reserved_domains":["not a domain"]}}`, "auto_reject.reserved_domains"},
		{"unknown currency in second_approval_at", `{"second_approval_at":{"XXX":100}}`, "second_approval_at"},
		{"zero amount in second_approval_at", `{"second_approval_at":{"USD":0}}`, "second_approval_at.USD"},
		{"negative amount in second_approval_at", `{"second_approval_at":{"EUR":-1}}`, "second_approval_at.EUR"},
		{"unknown partner type in kinds", `{"kinds":{"vendor":["resale"]}}`, "kinds"},
		{"unknown kind value", `{"kinds":{"reseller":["wholesale"]}}`, "kinds.reseller"},
		{"correction window -1", `{"correction_window_days":-1}`, "correction_window_days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePolicy([]byte(tt.raw))
			if err == nil {
				t.Fatalf("ParsePolicy(%s) = %+v, want an error", tt.raw, p)
			}
			if !strings.HasPrefix(err.Error(), "policy: ") {
				t.Errorf("error %q does not start with \"policy: \"", err)
			}
			if !strings.Contains(err.Error(), tt.wantField+": ") {
				t.Errorf("error %q does not name field %q", err, tt.wantField)
			}
			if !reflect.DeepEqual(p, Policy{}) {
				t.Errorf("ParsePolicy(%s) returned %+v with its error, want the zero Policy", tt.raw, p)
			}
		})
	}
}

// TestParsePolicyJoinsAllProblems proves a policy with several problems is refused with every field named in one error.
func TestParsePolicyJoinsAllProblems(t *testing.T) {
	_, err := ParsePolicy([]byte(`{"correction_window_days":-1,"protection":{"max_extensions":-1}}`))
	if err == nil {
		t.Fatal("ParsePolicy with two problems succeeded")
	}
	want := "policy: correction_window_days: must be 0 to 3650; protection.max_extensions: must be 0 to 100"
	if err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}

// TestValidateRules proves each Validate rule fires on a policy broken in just that way, and its text names the field.
func TestValidateRules(t *testing.T) {
	tests := []struct {
		name       string
		edit       func(*Policy)
		wantFields []string // sorted, one per problem
	}{
		{"review_within zero also fails reminder_at 0", func(p *Policy) {
			p.SLA.ReviewWithin = 0
			p.SLA.ReminderAt = 0
		}, []string{"sla.reminder_at", "sla.review_within"}},
		{"review_within 59s", func(p *Policy) {
			p.SLA.ReviewWithin = Duration(59 * time.Second)
			p.SLA.ReminderAt = 0
		}, []string{"sla.review_within"}},
		{"reminder_at equal to review_within", func(p *Policy) {
			p.SLA.ReminderAt = p.SLA.ReviewWithin
		}, []string{"sla.reminder_at"}},
		{"reminder_at after review_within", func(p *Policy) {
			p.SLA.ReminderAt = Duration(49 * time.Hour)
		}, []string{"sla.reminder_at"}},
		{"reminder_at negative", func(p *Policy) {
			p.SLA.ReminderAt = Duration(-time.Hour)
		}, []string{"sla.reminder_at"}},
		{"auto action maybe", func(p *Policy) {
			p.SLA.AutoAction.Action = "maybe"
		}, []string{"sla.auto_action.action"}},
		{"auto action empty", func(p *Policy) {
			p.SLA.AutoAction.Action = ""
		}, []string{"sla.auto_action.action"}},
		{"auto action upper case", func(p *Policy) {
			p.SLA.AutoAction.Action = "Approve"
		}, []string{"sla.auto_action.action"}},
		{"auto action after equal to review_within", func(p *Policy) {
			p.SLA.AutoAction.After = p.SLA.ReviewWithin
		}, []string{"sla.auto_action.after"}},
		{"auto action after before review_within", func(p *Policy) {
			p.SLA.AutoAction.After = Duration(time.Hour)
		}, []string{"sla.auto_action.after"}},
		{"escalation contact without @", func(p *Policy) {
			p.SLA.EscalationContact = "channel-ops"
		}, []string{"sla.escalation_contact"}},
		{"escalation contact over 254 characters", func(p *Policy) {
			p.SLA.EscalationContact = strings.Repeat("a", 243) + "@example.com"
		}, []string{"sla.escalation_contact"}},
		{"protection days 0", func(p *Policy) {
			p.Protection.Days = 0
			p.Protection.ReminderDaysBefore = nil
		}, []string{"protection.days"}},
		{"protection days 0 with default reminders", func(p *Policy) {
			p.Protection.Days = 0
		}, []string{"protection.days", "protection.reminder_days_before", "protection.reminder_days_before"}},
		{"protection days 4000", func(p *Policy) {
			p.Protection.Days = 4000
		}, []string{"protection.days"}},
		{"reminder day equal to days", func(p *Policy) {
			p.Protection.ReminderDaysBefore = []int{14, 90}
		}, []string{"protection.reminder_days_before"}},
		{"reminder day after days", func(p *Policy) {
			p.Protection.ReminderDaysBefore = []int{120}
		}, []string{"protection.reminder_days_before"}},
		{"reminder day 0", func(p *Policy) {
			p.Protection.ReminderDaysBefore = []int{0}
		}, []string{"protection.reminder_days_before"}},
		{"max extensions -1", func(p *Policy) {
			p.Protection.MaxExtensions = -1
		}, []string{"protection.max_extensions"}},
		{"max extensions 101", func(p *Policy) {
			p.Protection.MaxExtensions = 101
		}, []string{"protection.max_extensions"}},
		{"extension days 0", func(p *Policy) {
			p.Protection.ExtensionDays = 0
		}, []string{"protection.extension_days"}},
		{"extension days 3651", func(p *Policy) {
			p.Protection.ExtensionDays = 3651
		}, []string{"protection.extension_days"}},
		{"auto approve enabled with unknown min tier", func(p *Policy) {
			p.AutoApprove.Enabled = true
			p.AutoApprove.MinTier = "diamond"
		}, []string{"auto_approve.min_tier"}},
		{"auto approve enabled with empty min tier", func(p *Policy) {
			p.AutoApprove.Enabled = true
			p.AutoApprove.MinTier = ""
		}, []string{"auto_approve.min_tier"}},
		{"reserved domain with www", func(p *Policy) {
			p.AutoReject.ReservedDomains = []string{"acme.com", "www.acme.com"}
		}, []string{"auto_reject.reserved_domains"}},
		{"reserved domain not a domain", func(p *Policy) {
			p.AutoReject.ReservedDomains = []string{"not a domain"}
		}, []string{"auto_reject.reserved_domains"}},
		{"reserved domain subdomain", func(p *Policy) {
			p.AutoReject.ReservedDomains = []string{"shop.acme.co.uk"}
		}, []string{"auto_reject.reserved_domains"}},
		{"reserved domain upper case", func(p *Policy) {
			p.AutoReject.ReservedDomains = []string{"ACME.com"}
		}, []string{"auto_reject.reserved_domains"}},
		{"second approval unknown currency", func(p *Policy) {
			p.SecondApprovalAt["XXX"] = 100
		}, []string{"second_approval_at"}},
		{"second approval lower-case currency", func(p *Policy) {
			p.SecondApprovalAt["usd"] = 100
		}, []string{"second_approval_at"}},
		{"second approval zero amount", func(p *Policy) {
			p.SecondApprovalAt["USD"] = 0
		}, []string{"second_approval_at.USD"}},
		{"second approval negative amount", func(p *Policy) {
			p.SecondApprovalAt["JPY"] = -5
		}, []string{"second_approval_at.JPY"}},
		{"second approval amount over MaxAmount", func(p *Policy) {
			p.SecondApprovalAt["USD"] = MaxAmount + 1
		}, []string{"second_approval_at.USD"}},
		{"max amount unknown currency", func(p *Policy) {
			p.AutoApprove.MaxAmount["ZZZ"] = 100
		}, []string{"auto_approve.max_amount"}},
		{"max amount zero", func(p *Policy) {
			p.AutoApprove.MaxAmount["USD"] = 0
		}, []string{"auto_approve.max_amount.USD"}},
		{"unknown partner type in kinds", func(p *Policy) {
			p.Kinds["vendor"] = []Kind{KindResale}
		}, []string{"kinds"}},
		{"unknown kind value", func(p *Policy) {
			p.Kinds[PartnerReseller] = []Kind{KindResale, "wholesale"}
		}, []string{"kinds.reseller"}},
		{"correction window -1", func(p *Policy) {
			p.CorrectionWindowDays = -1
		}, []string{"correction_window_days"}},
		{"correction window 3651", func(p *Policy) {
			p.CorrectionWindowDays = 3651
		}, []string{"correction_window_days"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultPolicy()
			tt.edit(&p)
			errs := p.Validate()
			if got := fieldsOf(errs); !reflect.DeepEqual(got, tt.wantFields) {
				t.Errorf("Validate() = %q, want problems with fields %q", errs, tt.wantFields)
			}
			for _, e := range errs {
				if _, msg, _ := strings.Cut(e, ": "); strings.TrimSpace(msg) == "" {
					t.Errorf("Validate() text %q has no problem after the field", e)
				}
			}
		})
	}
}

// TestValidateAcceptsBoundaries proves values at the edges of each allowed range pass validation.
func TestValidateAcceptsBoundaries(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Policy)
	}{
		{"review_within exactly 1m, no reminder", func(p *Policy) {
			p.SLA.ReviewWithin = Duration(time.Minute)
			p.SLA.ReminderAt = 0
		}},
		{"reminder_at just under review_within", func(p *Policy) {
			p.SLA.ReminderAt = Duration(48*time.Hour - time.Second)
		}},
		{"auto action approve after review_within", func(p *Policy) {
			p.SLA.AutoAction = AutoAction{After: Duration(48*time.Hour + time.Second), Action: "approve"}
		}},
		{"auto action reject", func(p *Policy) {
			p.SLA.AutoAction = AutoAction{After: Duration(96 * time.Hour), Action: "reject"}
		}},
		{"escalation contact of 254 characters", func(p *Policy) {
			p.SLA.EscalationContact = strings.Repeat("a", 242) + "@example.com"
		}},
		{"protection days 1, no reminders", func(p *Policy) {
			p.Protection.Days = 1
			p.Protection.ReminderDaysBefore = nil
		}},
		{"protection days 3650", func(p *Policy) { p.Protection.Days = 3650 }},
		{"reminder day days-1 and 1", func(p *Policy) { p.Protection.ReminderDaysBefore = []int{89, 1} }},
		{"max extensions 0", func(p *Policy) { p.Protection.MaxExtensions = 0 }},
		{"max extensions 100", func(p *Policy) { p.Protection.MaxExtensions = 100 }},
		{"extension days 1", func(p *Policy) { p.Protection.ExtensionDays = 1 }},
		{"extension days 3650", func(p *Policy) { p.Protection.ExtensionDays = 3650 }},
		{"auto approve disabled with unknown tier", func(p *Policy) { p.AutoApprove.MinTier = "diamond" }},
		{"auto approve enabled with upper-case tier", func(p *Policy) {
			p.AutoApprove.Enabled = true
			p.AutoApprove.MinTier = " Silver "
		}},
		{"reserved registrable domains", func(p *Policy) {
			p.AutoReject.ReservedDomains = []string{"acme.com", "globex.co.uk"}
		}},
		{"amount exactly MaxAmount", func(p *Policy) { p.SecondApprovalAt["USD"] = MaxAmount }},
		{"amount 1", func(p *Policy) { p.AutoApprove.MaxAmount["EUR"] = 1 }},
		{"empty maps", func(p *Policy) {
			p.Kinds = nil
			p.SecondApprovalAt = nil
			p.AutoApprove.MaxAmount = nil
		}},
		{"correction window 0", func(p *Policy) { p.CorrectionWindowDays = 0 }},
		{"correction window 3650", func(p *Policy) { p.CorrectionWindowDays = 3650 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultPolicy()
			tt.edit(&p)
			if errs := p.Validate(); len(errs) != 0 {
				t.Errorf("Validate() = %q, want none", errs)
			}
		})
	}
}

// TestValidateSortedOutput proves Validate lists every problem of a badly broken policy, sorted, each as "field: problem".
func TestValidateSortedOutput(t *testing.T) {
	errs := Policy{}.Validate()
	if len(errs) == 0 {
		t.Fatal("the zero Policy validated")
	}
	if !sort.StringsAreSorted(errs) {
		t.Errorf("Validate() output is not sorted: %q", errs)
	}
	fields := map[string]bool{}
	for _, f := range fieldsOf(errs) {
		fields[f] = true
	}
	for _, f := range []string{
		"sla.review_within", "sla.auto_action.action", "protection.days", "protection.extension_days",
	} {
		if !fields[f] {
			t.Errorf("Validate() of the zero Policy = %q, missing field %q", errs, f)
		}
	}
	if fields["correction_window_days"] {
		t.Errorf("Validate() of the zero Policy flags correction_window_days, but 0 is allowed: %q", errs)
	}
}

// TestDurationJSONRoundTrip proves a Duration reads from Go duration text and writes back as time.Duration.String text.
func TestDurationJSONRoundTrip(t *testing.T) {
	tests := []struct {
		in    string
		want  time.Duration
		wrote string
	}{
		{`"48h"`, 48 * time.Hour, `"48h0m0s"`},
		{`"90m"`, 90 * time.Minute, `"1h30m0s"`},
		{`"1h30m"`, 90 * time.Minute, `"1h30m0s"`},
		{`"0"`, 0, `"0s"`},
		{`"0s"`, 0, `"0s"`},
		{`"-2h"`, -2 * time.Hour, `"-2h0m0s"`},
		{`"1.5s"`, 1500 * time.Millisecond, `"1.5s"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var d Duration
			if err := json.Unmarshal([]byte(tt.in), &d); err != nil {
				t.Fatalf("Unmarshal(%s) error: %v", tt.in, err)
			}
			if d.D() != tt.want {
				t.Errorf("Unmarshal(%s) = %v, want %v", tt.in, d.D(), tt.want)
			}
			out, err := json.Marshal(d)
			if err != nil {
				t.Fatalf("Marshal(%v) error: %v", d.D(), err)
			}
			if string(out) != tt.wrote {
				t.Errorf("Marshal(%v) = %s, want %s", d.D(), out, tt.wrote)
			}
			var back Duration
			if err := json.Unmarshal(out, &back); err != nil {
				t.Fatalf("Unmarshal(%s) error: %v", out, err)
			}
			if back != d {
				t.Errorf("round trip %s → %s → %v, want %v", tt.in, out, back.D(), d.D())
			}
		})
	}
}

// TestDurationUnmarshalRejects proves Duration refuses JSON numbers, other non-strings and unparseable text, leaving the value unchanged.
func TestDurationUnmarshalRejects(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string
	}{
		{`48`, `a duration is written as text such as "48h"`},
		{`172800000000000`, `a duration is written as text such as "48h"`},
		{`1.5`, `a duration is written as text such as "48h"`},
		{`true`, `a duration is written as text such as "48h"`},
		{`{"h":48}`, `a duration is written as text such as "48h"`},
		{`["48h"]`, `a duration is written as text such as "48h"`},
		{`"48"`, `invalid duration "48"`},
		{`"2 days"`, `invalid duration "2 days"`},
		{`"2d"`, `invalid duration "2d"`},
		{`""`, `invalid duration ""`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d := Duration(time.Minute)
			err := d.UnmarshalJSON([]byte(tt.in))
			if err == nil {
				t.Fatalf("UnmarshalJSON(%s) = %v, want an error", tt.in, d.D())
			}
			if err.Error() != tt.wantErr {
				t.Errorf("UnmarshalJSON(%s) error = %q, want %q", tt.in, err, tt.wantErr)
			}
			if d != Duration(time.Minute) {
				t.Errorf("UnmarshalJSON(%s) changed the value to %v on error", tt.in, d.D())
			}
		})
	}
}

// TestPolicyJSONRoundTrip proves a policy written by json.Marshal is read back by ParsePolicy unchanged, with durations as text.
func TestPolicyJSONRoundTrip(t *testing.T) {
	custom := DefaultPolicy()
	custom.SLA = SLAPolicy{
		ReviewWithin:      Duration(72 * time.Hour),
		ReminderAt:        Duration(36 * time.Hour),
		EscalationContact: "ops@vendor.example",
		AutoAction:        AutoAction{After: Duration(120 * time.Hour), Action: "reject"},
	}
	// MaxAmount keeps the default USD key: ParsePolicy merges JSON maps into
	// the defaults, so a map without USD would read back with USD restored.
	custom.AutoApprove = AutoApproveRule{Enabled: true, MinTier: "silver", MaxAmount: map[string]int64{"USD": 25_000_00, "EUR": 1_000_000}}
	custom.SecondApprovalAt["SEK"] = 50_000_000
	custom.Kinds[PartnerAgent] = []Kind{KindResale, KindReferral}
	custom.Protection = ProtectionPolicy{Days: 60, ReminderDaysBefore: []int{7}, MaxExtensions: 2, ExtensionDays: 15}
	custom.AutoReject.ReservedDomains = []string{"acme.com"}

	for name, p := range map[string]Policy{"default": DefaultPolicy(), "custom": custom} {
		t.Run(name, func(t *testing.T) {
			raw, err := json.Marshal(p)
			if err != nil {
				t.Fatalf("Marshal error: %v", err)
			}
			var sla struct {
				SLA struct {
					ReviewWithin string `json:"review_within"`
				} `json:"sla"`
			}
			if err := json.Unmarshal(raw, &sla); err != nil {
				t.Fatalf("sla.review_within is not written as text: %v (%s)", err, raw)
			}
			if want := p.SLA.ReviewWithin.D().String(); sla.SLA.ReviewWithin != want {
				t.Errorf("sla.review_within written as %q, want %q", sla.SLA.ReviewWithin, want)
			}
			got, err := ParsePolicy(raw)
			if err != nil {
				t.Fatalf("ParsePolicy(%s) error: %v", raw, err)
			}
			if !reflect.DeepEqual(got, p) {
				t.Errorf("round trip\n got %+v\nwant %+v", got, p)
			}
		})
	}
}

// TestAllowsKindDefault proves under DefaultPolicy that selling partner types may register both kinds while referral and agent partners may register only referrals.
func TestAllowsKindDefault(t *testing.T) {
	p := DefaultPolicy()
	tests := []struct {
		pt       PartnerType
		resale   bool
		referral bool
	}{
		{PartnerReseller, true, true},
		{PartnerVAR, true, true},
		{PartnerDistributor, true, true},
		{PartnerMSP, true, true},
		{PartnerSI, true, true},
		{PartnerReferral, false, true},
		{PartnerAgent, false, true},
		{"vendor", false, false},
		{"", false, false},
		{"Reseller", false, false},
	}
	if n := len(PartnerTypes); n != 7 {
		t.Fatalf("len(PartnerTypes) = %d; this table covers 7", n)
	}
	for _, tt := range tests {
		t.Run(string(tt.pt), func(t *testing.T) {
			if got := p.AllowsKind(tt.pt, KindResale); got != tt.resale {
				t.Errorf("AllowsKind(%q, resale) = %v, want %v", tt.pt, got, tt.resale)
			}
			if got := p.AllowsKind(tt.pt, KindReferral); got != tt.referral {
				t.Errorf("AllowsKind(%q, referral) = %v, want %v", tt.pt, got, tt.referral)
			}
			for _, k := range []Kind{"", "wholesale", "Resale"} {
				if p.AllowsKind(tt.pt, k) {
					t.Errorf("AllowsKind(%q, %q) = true, want false for an unknown kind", tt.pt, k)
				}
			}
		})
	}
}

// TestAllowsKindCustom proves AllowsKind follows a program's own kinds table, including a partner type it leaves out.
func TestAllowsKindCustom(t *testing.T) {
	p := Policy{Kinds: map[PartnerType][]Kind{
		PartnerReseller: {KindResale},
		PartnerAgent:    {KindResale, KindReferral},
		PartnerMSP:      {},
	}}
	tests := []struct {
		pt   PartnerType
		k    Kind
		want bool
	}{
		{PartnerReseller, KindResale, true},
		{PartnerReseller, KindReferral, false},
		{PartnerAgent, KindResale, true},
		{PartnerAgent, KindReferral, true},
		{PartnerMSP, KindResale, false},
		{PartnerMSP, KindReferral, false},
		{PartnerVAR, KindResale, false},
		{PartnerVAR, KindReferral, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.pt)+"/"+string(tt.k), func(t *testing.T) {
			if got := p.AllowsKind(tt.pt, tt.k); got != tt.want {
				t.Errorf("AllowsKind(%q, %q) = %v, want %v", tt.pt, tt.k, got, tt.want)
			}
		})
	}
	if (Policy{}).AllowsKind(PartnerReseller, KindResale) {
		t.Error("a policy without kinds allows reseller resale")
	}
}

// TestRequiredApprovals proves one approval suffices below a currency's threshold, two are needed at or above it, and always two for an unlisted currency.
func TestRequiredApprovals(t *testing.T) {
	p := DefaultPolicy()
	tests := []struct {
		name     string
		amount   int64
		currency string
		want     int
	}{
		{"USD zero", 0, "USD", 1},
		{"USD one cent", 1, "USD", 1},
		{"USD just below 100,000.00", 9_999_999, "USD", 1},
		{"USD exactly 100,000.00", 10_000_000, "USD", 2},
		{"USD just above", 10_000_001, "USD", 2},
		{"USD far above", 1_000_000_000, "USD", 2},
		{"EUR below", 9_999_999, "EUR", 1},
		{"EUR at", 10_000_000, "EUR", 2},
		{"GBP below", 5_000_000, "GBP", 1},
		{"CHF at", 10_000_000, "CHF", 2},
		{"CAD below", 1, "CAD", 1},
		{"AUD above", 20_000_000, "AUD", 2},
		{"JPY below 15,000,000 yen", 14_999_999, "JPY", 1},
		{"JPY exactly 15,000,000 yen", 15_000_000, "JPY", 2},
		{"JPY above", 15_000_001, "JPY", 2},
		{"JPY amount that is under the USD threshold but over JPY", 12_000_000, "JPY", 1},
		{"SEK zero", 0, "SEK", 2},
		{"SEK small", 1, "SEK", 2},
		{"SEK large", 1_000_000_000, "SEK", 2},
		{"lower-case usd is not listed", 1, "usd", 2},
		{"empty currency", 1, "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.RequiredApprovals(tt.amount, tt.currency); got != tt.want {
				t.Errorf("RequiredApprovals(%d, %q) = %d, want %d", tt.amount, tt.currency, got, tt.want)
			}
		})
	}
}

// TestRequiredApprovalsCustomThresholds proves a program's own thresholds replace or extend the defaults, and a program without thresholds always needs two.
func TestRequiredApprovalsCustomThresholds(t *testing.T) {
	p, err := ParsePolicy([]byte(`{"second_approval_at":{"SEK":50000000,"USD":5000000}}`))
	if err != nil {
		t.Fatalf("ParsePolicy error: %v", err)
	}
	tests := []struct {
		amount   int64
		currency string
		want     int
	}{
		{49_999_999, "SEK", 1},
		{50_000_000, "SEK", 2},
		{4_999_999, "USD", 1},
		{5_000_000, "USD", 2},
		{1, "EUR", 2}, // a stated map replaces the default: EUR is no longer listed
		{1, "JPY", 2},
	}
	for _, tt := range tests {
		if got := p.RequiredApprovals(tt.amount, tt.currency); got != tt.want {
			t.Errorf("RequiredApprovals(%d, %q) = %d, want %d", tt.amount, tt.currency, got, tt.want)
		}
	}
	none := Policy{}
	for _, cur := range []string{"USD", "JPY", "SEK"} {
		if got := none.RequiredApprovals(1, cur); got != 2 {
			t.Errorf("Policy{}.RequiredApprovals(1, %q) = %d, want 2", cur, got)
		}
	}
}

// TestParsePolicyRefusesTrailingData proves nothing may follow the policy object.
func TestParsePolicyRefusesTrailingData(t *testing.T) {
	for _, raw := range []string{`{} {}`, `{}x`, `{"protection":{"days":60}} garbage`} {
		if _, err := ParsePolicy([]byte(raw)); err == nil {
			t.Errorf("ParsePolicy(%s) accepted trailing data", raw)
		}
	}
}

// TestParsePolicyNullDurationKeepsDefault proves a null duration changes nothing.
func TestParsePolicyNullDurationKeepsDefault(t *testing.T) {
	p, err := ParsePolicy([]byte(`{"sla":{"review_within":null}}`))
	if err != nil || p.SLA.ReviewWithin != DefaultPolicy().SLA.ReviewWithin {
		t.Fatalf("got %v, %v", p.SLA.ReviewWithin, err)
	}
}

// TestParsePolicyReminderFollowsSLA proves an unstated reminder is half the stated SLA, and a stated one is kept.
func TestParsePolicyReminderFollowsSLA(t *testing.T) {
	p, err := ParsePolicy([]byte(`{"sla":{"review_within":"12h"}}`))
	if err != nil || p.SLA.ReminderAt.D() != 6*time.Hour {
		t.Fatalf("reminder %v, %v", p.SLA.ReminderAt.D(), err)
	}
	p, err = ParsePolicy([]byte(`{"sla":{"review_within":"12h","reminder_at":"0s"}}`))
	if err != nil || p.SLA.ReminderAt != 0 {
		t.Fatalf("stated reminder %v, %v", p.SLA.ReminderAt.D(), err)
	}
}
