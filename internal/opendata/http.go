package opendata

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"sunlight/ent"
	"sunlight/internal/vocab/fail"
)

// Handler serves the open data to anyone, without GraphQL:
//
//	GET /open-data/{code}/{year}/vouchers.csv   (or .json; assets, contracts)
//	GET /open-data/{code}/{year}/datapackage.json
type Handler struct{ client *ent.Client }

// New returns the open-data handler.
func New(client *ent.Client) *Handler { return &Handler{client: client} }

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /open-data/{code}/{year}/{file}", h.serve)
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) {
	code, file := r.PathValue("code"), r.PathValue("file")
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil {
		http.Error(w, "the year is a number such as 2026", http.StatusBadRequest)
		return
	}
	name, format, _ := strings.Cut(file, ".")
	if format != "csv" && format != "json" {
		http.Error(w, "ask for vouchers.csv, assets.csv, contracts.csv, signatures.csv (or .json) or datapackage.json", http.StatusNotFound)
		return
	}
	// Only the table asked for is read (none for the descriptor).
	var t *Table
	c, err := communityYear(r.Context(), h.client, code, year)
	if err == nil && name != "datapackage" {
		if !slices.Contains(Resources, name) {
			http.Error(w, fmt.Sprintf("no open-data table %q (there are %s)", name, strings.Join(Resources, ", ")), http.StatusNotFound)
			return
		}
		t, err = Resource(r.Context(), h.client, c, name, year)
	}
	if err != nil {
		status := http.StatusInternalServerError
		switch fail.CodeOf(err) {
		case fail.NotFound:
			status = http.StatusNotFound
		case fail.BadInput:
			status = http.StatusBadRequest
		}
		if status == http.StatusInternalServerError {
			slog.ErrorContext(r.Context(), "open data", "err", err)
			http.Error(w, "internal error", status)
			return
		}
		http.Error(w, err.Error(), status)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if t == nil {
		if format != "json" {
			http.Error(w, "the descriptor is datapackage.json", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		enc.Encode(Descriptor(c, year, "csv"))
		return
	}
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "application/json")
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%d-%s.%s"`, c.Code, year, name, format))
	if err := t.Write(w, format); err != nil {
		slog.ErrorContext(r.Context(), "open data", "err", err)
	}
}
