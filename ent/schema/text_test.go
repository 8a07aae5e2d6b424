package schema_test

import (
	"reflect"
	"testing"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"

	"sunlight/ent/schema"
	"sunlight/internal/vocab/text"
)

// TestEveryTextFieldHasTheTextRule: every string field people write is
// validated by text.Line or, for long text, text.Prose (the ent validators
// run on every path that writes); the exceptions are written by the
// platform itself or held to a pattern of their own.
func TestEveryTextFieldHasTheTextRule(t *testing.T) {
	exempt := map[string]string{
		"AccessToken.role":            "one of the roles, checked by package token",
		"AccessToken.token_hash":      "hex of a hash",
		"Community.code":              "its own pattern",
		"Community.closed_through":    "a month, its own pattern",
		"Community.totals_through":    "a month, its own pattern",
		"Community.name_sort":         "the pinyin key of the name, written by a rule",
		"MonthSum.period":             "a month, its own pattern",
		"MonthSum.category":           "copied from vouchers, which have the rule",
		"Report.period":               "a period, its own pattern",
		"Report.number":               "written by the publisher",
		"Report.sha256":               "hex of a hash",
		"Report.prev_sha256":          "hex of a hash",
		"Report.storage_key":          "written by the archive",
		"Report.inputs":               "canonical JSON written by the publisher",
		"JobRun.job":                  "written by the scheduler",
		"JobRun.period":               "a period, its own pattern",
		"JobRun.error":                "the scheduler's own error text",
		"AuditEvent.actor":            "a token's name, which has the rule",
		"AuditEvent.entity":           "a type name",
		"AuditEvent.before":           "JSON written by the audit hook",
		"AuditEvent.after":            "JSON written by the audit hook",
		"Voucher.period":              "a month, its own pattern",
		"OpeningBalance.period":       "a month, its own pattern",
		"Signature.ed25519_signature": "base64 of a signature, checked by package signing before it is stored",
		"Signer.public_key":           "base64 of a key, checked by package signing",
		"Enrolment.code_hash":         "hex of a hash",
	}
	line, prose := reflect.ValueOf(text.Line).Pointer(), reflect.ValueOf(text.Prose).Pointer()
	schemas := map[string]ent.Interface{
		"AccessToken": schema.AccessToken{}, "Asset": schema.Asset{}, "AssetValuation": schema.AssetValuation{},
		"Community": schema.Community{}, "Contract": schema.Contract{}, "Inquiry": schema.Inquiry{},
		"Market": schema.Market{}, "Stall": schema.Stall{}, "Matter": schema.Matter{},
		"MatterDisclosure": schema.MatterDisclosure{}, "Meeting": schema.Meeting{}, "MonthSum": schema.MonthSum{},
		"Report": schema.Report{}, "JobRun": schema.JobRun{}, "AuditEvent": schema.AuditEvent{},
		"Resident": schema.Resident{}, "ResidentGroup": schema.ResidentGroup{}, "PointEvent": schema.PointEvent{},
		"Voucher": schema.Voucher{}, "Signature": schema.Signature{}, "Benefit": schema.Benefit{},
		"OpeningBalance": schema.OpeningBalance{}, "Signer": schema.Signer{}, "Enrolment": schema.Enrolment{},
	}
	checked := 0
	for name, s := range schemas {
		fields := s.Fields()
		for _, m := range s.Mixin() {
			fields = append(fields, m.Fields()...)
		}
		for _, f := range fields {
			d := f.Descriptor()
			if d.Info.Type != field.TypeString {
				continue
			}
			key := name + "." + d.Name
			has := false
			for _, v := range d.Validators {
				if p := reflect.ValueOf(v).Pointer(); p == line || p == prose {
					has = true
				}
			}
			if _, ok := exempt[key]; ok {
				if has {
					t.Errorf("%s has the text rule: take it out of the exemptions", key)
				}
				continue
			}
			checked++
			if !has {
				t.Errorf("%s: a text field without text.Line or text.Prose (or exempt it here, saying why)", key)
			}
		}
	}
	if checked < 30 {
		t.Fatalf("only %d text fields checked", checked)
	}
}
