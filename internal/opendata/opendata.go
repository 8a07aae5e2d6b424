// Package opendata publishes a community's year as open data, in the
// spirit of the Fiscal Data Package: the posted vouchers (with their
// classifications: direction, category, period), the assets held and the
// contracts running, and the signatures of the vouchers with the signers'
// public keys (anyone can check them, README.md shows how), as CSV or
// JSON, described by a datapackage.json. The
// same tables are downloads for the public over plain HTTP, no GraphQL
// needed. Personal data never appears: a counterparty that is a person,
// not an organisation, is masked (张*春), as in the published reports.
package opendata

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"sunlight/ent"
	"sunlight/ent/asset"
	"sunlight/ent/assetvaluation"
	"sunlight/ent/community"
	"sunlight/ent/contract"
	"sunlight/ent/privacy"
	"sunlight/ent/signature"
	"sunlight/ent/voucher"
	"sunlight/internal/ledger"
	"sunlight/internal/ledger/signing"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/vocab/mask"
	"sunlight/internal/vocab/money"
)

// Resources are the tables of a year, in order.
var Resources = []string{"vouchers", "assets", "contracts", "signatures"}

// Field describes a column (Table Schema).
type Field struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description"`
	Format      string `json:"format,omitempty"`
}

// Table is one resource: its columns and rows (values are strings, int64,
// or nil for empty).
type Table struct {
	Name   string
	Fields []Field
	Rows   [][]any
}

var fields = map[string][]Field{
	"vouchers": {
		{"number", "string", "voucher number (凭证号)", ""},
		{"date", "date", "day the income or expense occurred (发生日期), Asia/Shanghai", ""},
		{"period", "string", "accounting month (会计期间) YYYY-MM", ""},
		{"direction", "string", "INCOME (收入) or EXPENSE (支出)", ""},
		{"category", "string", "category as on the disclosure board (科目)", ""},
		{"amount", "number", "amount in yuan, two decimals (金额, 元); in JSON a string such as \"47000.00\", as in GraphQL", ""},
		{"amount_fen", "integer", "amount in fen (分), exact", ""},
		{"currency", "string", "ISO 4217 currency", ""},
		{"summary", "string", "summary (摘要)", ""},
		{"counterparty", "string", "counterparty (往来单位); persons masked", ""},
		{"contract", "string", "code of the contract paid under, if any", ""},
		{"reverses", "string", "number of the voucher this one reverses (红字冲销), if any", ""},
		{"posted_at", "datetime", "when the voucher was posted (入账时间), UTC", ""},
	},
	"assets": {
		{"name", "string", "asset (资产名称)", ""},
		{"category", "string", "BUILDING, MARKET, PARKING, LAND, EQUIPMENT, SCHOOL or OTHER", ""},
		{"location", "string", "location (坐落位置)", ""},
		{"acquired_on", "date", "acquired on (取得日期)", ""},
		{"acquisition", "string", "how acquired (取得方式)", ""},
		{"original_value", "number", "original value in yuan (原值); in JSON a string, two decimals", ""},
		{"value_at_year_end", "number", "latest valuation at the year end in yuan (年末估值); empty if none; in JSON a string, two decimals", ""},
		{"currency", "string", "ISO 4217 currency", ""},
		{"status", "string", "IN_USE, LEASED, IDLE or DISPOSED", ""},
		{"disposed_on", "date", "disposed on (处置日期), if disposed", ""},
	},
	"signatures": {
		{"voucher", "string", "number of the posted voucher signed (凭证号)", ""},
		{"signer", "string", "signer's name (签字人), masked", ""},
		{"capacity", "string", "capacity signed in: PREPARER, ACCOUNTANT, CASHIER, SECRETARY, COMMITTEE, SUPERVISOR, GROUP_LEADER, REPRESENTATIVE or OTHER", ""},
		{"method", "string", "ED25519 (signed with the signer's own key) or NAME_ONLY (a name recorded before signers had keys: unverified)", ""},
		{"public_key", "string", "the signer's Ed25519 public key, 32 bytes in standard base64", ""},
		{"key_fingerprint", "string", "first 8 bytes of the SHA-256 of the public key, in hex, as printed in the disclosure", ""},
		{"signed_at", "datetime", "when it was signed (签字时间), UTC", ""},
		{"encoding_version", "integer", "version of the canonical voucher encoding signed", ""},
		{"signature", "string", "the Ed25519 signature, 64 bytes in standard base64", ""},
		{"payload", "string", "the signed bytes (the voucher's canonical encoding, rebuilt from the books), standard base64", ""},
	},
	"contracts": {
		{"code", "string", "contract code (合同编号)", ""},
		{"kind", "string", "LEASE, CONSTRUCTION, PROCUREMENT or SERVICE", ""},
		{"title", "string", "title (合同名称)", ""},
		{"counterparty", "string", "counterparty (对方); persons masked", ""},
		{"amount", "number", "total value in yuan (合同金额); in JSON a string, two decimals", ""},
		{"monthly_rent", "number", "monthly rent in yuan of a lease (月租金); in JSON a string, two decimals", ""},
		{"currency", "string", "ISO 4217 currency", ""},
		{"procurement", "string", "PUBLIC_TENDER, INVITED_TENDER, COMPETITIVE_NEGOTIATION or DIRECT", ""},
		{"signed_on", "date", "signed on (签订日期)", ""},
		{"starts_on", "date", "starts on", ""},
		{"ends_on", "date", "ends on; empty when open-ended", ""},
		{"status", "string", "DRAFT, ACTIVE, COMPLETED or TERMINATED", ""},
	},
}

// Year gathers the tables of community code in year.
func Year(ctx context.Context, client *ent.Client, code string, year int) (*ent.Community, []*Table, error) {
	c, err := communityYear(ctx, client, code, year)
	if err != nil {
		return nil, nil, err
	}
	var tables []*Table
	for _, name := range Resources {
		t, err := Resource(ctx, client, c, name, year)
		if err != nil {
			return nil, nil, err
		}
		tables = append(tables, t)
	}
	return c, tables, nil
}

// communityYear checks the year and loads the community of code.
func communityYear(ctx context.Context, client *ent.Client, code string, year int) (*ent.Community, error) {
	if year < 1900 || year > 9999 {
		return nil, fail.Invalidf("year %d is not a year such as 2026", year)
	}
	c, err := client.Community.Query().Where(community.Code(code)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, fail.NotFoundf("no community with the code %q", code)
	}
	return c, err
}

// Resource gathers one table.
func Resource(ctx context.Context, client *ent.Client, c *ent.Community, name string, year int) (*Table, error) {
	p := calendar.Year(year)
	t := &Table{Name: name, Fields: fields[name]}
	switch name {
	case "vouchers":
		vs, err := client.Voucher.Query().Where(ledger.PostedIn(c.ID, ledger.PeriodSpan(p))).
			WithContract().WithReverses().Order(ent.Asc(voucher.FieldOccurredOn), ent.Asc(voucher.FieldNumber)).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			var contractCode, reverses, posted any
			if v.Edges.Contract != nil {
				contractCode = v.Edges.Contract.Code
			}
			if v.Edges.Reverses != nil {
				reverses = v.Edges.Reverses.Number
			}
			if v.PostedAt != nil {
				posted = v.PostedAt.UTC().Format(time.RFC3339)
			}
			t.Rows = append(t.Rows, []any{v.Number, day(v.OccurredOn), v.Period, string(v.Direction), v.Category,
				yuan(v.Amount), int64(v.Amount), "CNY", v.Summary, party(v.Counterparty), contractCode, reverses, posted})
		}
	case "assets":
		as, err := client.Asset.Query().Where(asset.CommunityID(c.ID), asset.AcquiredOnLTE(p.Last()),
			asset.Or(asset.DisposedOnIsNil(), asset.DisposedOnGTE(p.First()))).Order(ent.Asc(asset.FieldName)).All(ctx)
		if err != nil {
			return nil, err
		}
		vals, err := client.AssetValuation.Query().Where(assetvaluation.CommunityID(c.ID), assetvaluation.AsOfLTE(p.Last())).
			Order(ent.Asc(assetvaluation.FieldAsOf)).All(ctx)
		if err != nil {
			return nil, err
		}
		latest := map[int]money.Fen{}
		for _, v := range vals {
			latest[v.AssetID] = v.Value
		}
		for _, a := range as {
			var value, disposed any
			if v, ok := latest[a.ID]; ok {
				value = yuan(v)
			}
			if a.DisposedOn != nil {
				disposed = day(*a.DisposedOn)
			}
			t.Rows = append(t.Rows, []any{a.Name, string(a.Category), a.Location, day(a.AcquiredOn), string(a.Acquisition),
				yuan(a.OriginalValue), value, "CNY", string(a.Status), disposed})
		}
	case "contracts":
		cs, err := client.Contract.Query().Where(contract.CommunityID(c.ID), contract.StartsOnLTE(p.Last()),
			contract.Or(contract.EndsOnIsNil(), contract.EndsOnGTE(p.First()))).Order(ent.Asc(contract.FieldCode)).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, k := range cs {
			var rent, ends any
			if k.MonthlyRent != nil {
				rent = yuan(*k.MonthlyRent)
			}
			if k.EndsOn != nil {
				ends = day(*k.EndsOn)
			}
			t.Rows = append(t.Rows, []any{k.Code, string(k.Kind), k.Title, party(k.Counterparty), yuan(k.Amount), rent, "CNY",
				string(k.Procurement), day(k.SignedOn), day(k.StartsOn), ends, string(k.Status)})
		}
	case "signatures":
		rows, err := signatureRows(ctx, client, c, p)
		if err != nil {
			return nil, err
		}
		t.Rows = rows
	default:
		return nil, fail.NotFoundf("no open-data table %q (there are %s)", name, strings.Join(Resources, ", "))
	}
	return t, nil
}

// yuan is a decimal string: exact, no float on the way.
type yuan money.Fen

func (y yuan) String() string { return money.Fen(y).String() }

// MarshalJSON writes the amount as a JSON string with two decimals
// ("47000.00"), as GraphQL's Money does: a JSON number would be read as a
// float by most JSON readers (JavaScript's among them), which cannot hold
// every amount in fen exactly.
func (y yuan) MarshalJSON() ([]byte, error) { return []byte(`"` + y.String() + `"`), nil }

func day(t time.Time) string { return t.Format("2006-01-02") }

// party masks a counterparty that looks like a person's name.
func party(s string) any {
	if s == "" {
		return nil
	}
	return mask.Counterparty(s)
}

// bom is the UTF-8 byte order mark. District staff open the CSVs in Excel,
// which reads a CSV without it in the system's code page (GBK on Chinese
// Windows) and shows 租金收入 as mojibake; with it, as UTF-8. CSV readers
// that follow RFC 4180 or Frictionless skip it.
const bom = "\ufeff"

// WriteCSV writes t as CSV (RFC 4180, UTF-8 with a byte order mark, header
// row).
func (t *Table) WriteCSV(w io.Writer) error {
	if _, err := io.WriteString(w, bom); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	head := make([]string, len(t.Fields))
	for i, f := range t.Fields {
		head[i] = f.Name
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	rec := make([]string, len(t.Fields))
	for _, row := range t.Rows {
		for i, v := range row {
			rec[i] = cell(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func cell(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case fmt.Stringer:
		return v.String()
	default:
		return fmt.Sprint(v)
	}
}

// WriteJSON writes t as a JSON array of objects.
func (t *Table) WriteJSON(w io.Writer) error {
	out := make([]jsonRow, len(t.Rows))
	for i, row := range t.Rows {
		out[i] = jsonRow{fields: t.Fields, values: row}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(out)
}

type jsonRow struct {
	fields []Field
	values []any
}

// MarshalJSON keeps the columns in order.
func (r jsonRow) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range r.fields {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.Name)
		v, err := json.Marshal(r.values[i])
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// Write writes t in format ("csv" or "json").
func (t *Table) Write(w io.Writer, format string) error {
	switch format {
	case "csv":
		return t.WriteCSV(w)
	case "json":
		return t.WriteJSON(w)
	}
	return fail.Invalidf("format %q: csv or json", format)
}

// Descriptor is the datapackage.json of a year's bundle in format: a
// Tabular Data Package with a Fiscal Data Package model of the vouchers.
func Descriptor(c *ent.Community, year int, format string) map[string]any {
	var resources []map[string]any
	for _, name := range Resources {
		r := map[string]any{
			"name": name, "path": name + "." + format, "format": format, "encoding": "utf-8",
			"schema": map[string]any{"fields": fields[name]},
		}
		if format == "csv" {
			r["mediatype"] = "text/csv"
		} else {
			r["mediatype"] = "application/json"
		}
		resources = append(resources, r)
	}
	return map[string]any{
		"profile":    "fiscal-data-package",
		"name":       fmt.Sprintf("sunlight-%s-%d", c.Code, year),
		"title":      fmt.Sprintf("%s %d年 集体经济公开数据 (collective economy open data)", c.Name, year),
		"fiscalYear": strconv.Itoa(year),
		"location":   strings.TrimSpace(c.District + " " + c.SubDistrict + " " + c.Name),
		"currency":   "CNY",
		"resources":  resources,
		"model": map[string]any{
			"measures": map[string]any{
				"amount": map[string]any{"source": "amount", "currency": "CNY", "resource": "vouchers"},
			},
			"dimensions": map[string]any{
				"date":      map[string]any{"dimensionType": "datetime", "primaryKey": []string{"date"}, "attributes": map[string]any{"date": map[string]any{"source": "date"}}},
				"period":    map[string]any{"dimensionType": "datetime", "primaryKey": []string{"period"}, "attributes": map[string]any{"period": map[string]any{"source": "period"}}},
				"direction": map[string]any{"dimensionType": "classification", "classificationType": "functional", "primaryKey": []string{"direction"}, "attributes": map[string]any{"direction": map[string]any{"source": "direction"}}},
				"category":  map[string]any{"dimensionType": "classification", "classificationType": "economic", "primaryKey": []string{"category"}, "attributes": map[string]any{"category": map[string]any{"source": "category"}}},
				"voucher":   map[string]any{"dimensionType": "activity", "primaryKey": []string{"number"}, "attributes": map[string]any{"number": map[string]any{"source": "number"}, "summary": map[string]any{"source": "summary"}}},
			},
		},
		"sources": []map[string]any{{"title": "Sunlight 阳光集体经济: posted vouchers only; persons' names masked"}},
	}
}

// signatureRows are the signatures of c's vouchers posted in p, with what
// anyone needs to check each one without Sunlight: the signer's public key
// and the signed bytes, rebuilt from the voucher as it is in the books
// (the same columns as the vouchers table). Signatures are not public
// records (policy), but those of posted vouchers are the disclosure's own
// evidence: they are read here as the platform, and the signer's name is
// masked as every person's name in the open data.
func signatureRows(ctx context.Context, client *ent.Client, c *ent.Community, p calendar.Period) ([][]any, error) {
	ctx = privacy.DecisionContext(ctx, privacy.Allow)
	vs, err := client.Voucher.Query().Where(ledger.PostedIn(c.ID, ledger.PeriodSpan(p))).WithReverses().
		WithSignatures(func(q *ent.SignatureQuery) {
			q.WithSignedBy().Order(ent.Asc(signature.FieldSignedAt), ent.Asc(signature.FieldID))
		}).
		Order(ent.Asc(voucher.FieldOccurredOn), ent.Asc(voucher.FieldNumber)).All(ctx)
	if err != nil {
		return nil, err
	}
	var rows [][]any
	for _, v := range vs {
		var reverses string
		if v.Edges.Reverses != nil {
			reverses = v.Edges.Reverses.Number
		}
		for _, s := range v.Edges.Signatures {
			row := []any{v.Number, mask.Name(s.Signer), string(s.Role), string(s.Method), nil, nil, s.SignedAt.UTC().Format(time.RFC3339), nil, nil, nil}
			if who := s.Edges.SignedBy; who != nil && who.PublicKey != nil && s.Ed25519Signature != nil && s.EncodingVersion != nil {
				payload, err := signing.Payload(ledger.SignedVoucher(v, c.Code, reverses, string(s.Role)), *s.EncodingVersion)
				if err != nil {
					return nil, err
				}
				row[4], row[5] = *who.PublicKey, signing.Fingerprint(*who.PublicKey)
				row[7], row[8], row[9] = int64(*s.EncodingVersion), *s.Ed25519Signature, signing.Encode(payload)
			}
			rows = append(rows, row)
		}
	}
	return rows, nil
}
