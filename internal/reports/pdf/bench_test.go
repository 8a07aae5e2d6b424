package pdf

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jung-kurt/gofpdf"

	"sunlight/internal/reports/pdf/font"
)

// BenchmarkMonthly renders the October 2026 disclosure (66 vouchers, four
// pages) once per iteration.
func BenchmarkMonthly(b *testing.B) {
	r, err := NewRenderer()
	if err != nil {
		b.Fatal(err)
	}
	m := octoberFixture()
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := r.Monthly(&buf, m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/pdf")
}

func BenchmarkYearly(b *testing.B) {
	r, err := NewRenderer()
	if err != nil {
		b.Fatal(err)
	}
	y := yearlyFixture()
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Yearly(io.Discard, y); err != nil {
			b.Fatal(err)
		}
	}
}

// batch makes n monthly reports for n different communities, so each has
// its own names and so its own font subset, like the scheduler's run at
// month start. The reports share their row slices: a real run holds one
// community's data per worker, not a thousand, and a thousand full copies
// would make the benchmark measure the garbage collector scanning them.
func batch(n int) []*Monthly {
	names := []string{"阁子市", "郭镇", "龙山", "南湖", "金鹗", "洞庭", "君山", "岳阳楼", "梅溪", "湖滨"}
	base := octoberFixture()
	out := make([]*Monthly, n)
	for i := range out {
		m := *base
		m.Community.Name = names[i%len(names)] + fmt.Sprintf("第%d社区", i+1)
		m.Community.Code = fmt.Sprintf("c%04d", i)
		m.Number = fmt.Sprintf("c%04d-2026-10", i)
		out[i] = &m
	}
	return out
}

// renderAll renders ms on GOMAXPROCS goroutines sharing one Renderer.
func renderAll(r *Renderer, ms []*Monthly) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 1)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			for {
				i := int(next.Add(1)) - 1
				if i >= len(ms) {
					return
				}
				buf.Reset()
				if err := r.Monthly(&buf, ms[i]); err != nil {
					select {
					case errs <- err:
					default:
					}
					return
				}
			}
		}()
	}
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// BenchmarkMonthly1000 renders 1,000 monthly reports of different
// communities with all cores; one iteration is the whole batch. The goal is
// under 10 s on 2 cores.
func BenchmarkMonthly1000(b *testing.B) {
	r, err := NewRenderer()
	if err != nil {
		b.Fatal(err)
	}
	ms := batch(1000)
	start, cpu := time.Now(), processCPU()
	n := 0
	for b.Loop() {
		if err := renderAll(r, ms); err != nil {
			b.Fatal(err)
		}
		n++
	}
	reports := float64(len(ms) * n)
	b.ReportMetric(reports/time.Since(start).Seconds(), "reports/s")
	b.ReportMetric(float64(processCPU()-cpu)/1e6/reports, "cpu-ms/report")
	b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "procs")
}

// BenchmarkGofpdfFullFont is the cost this package avoids: gofpdf parsing
// and subsetting the whole 4.6 MB font for a one-line document.
func BenchmarkGofpdfFullFont(b *testing.B) {
	face, err := font.Default()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		pdf := gofpdf.New("P", "mm", "A4", "")
		pdf.AddUTF8FontFromBytes("f", "", face.Bytes())
		pdf.SetFont("f", "", 12)
		pdf.AddPage()
		pdf.Text(20, 20, "财务公开 办公经费 26,868.00 贰万陆仟捌佰陆拾捌元整")
		if err := pdf.Output(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSubset is the replacement: cutting the glyphs of one report
// from the parsed face.
func BenchmarkSubset(b *testing.B) {
	face, err := font.Default()
	if err != nil {
		b.Fatal(err)
	}
	d := newDoc(face)
	layoutMonthly(d, octoberFixture())
	runes := make([]rune, 0, len(d.runes))
	for r := range d.runes {
		runes = append(runes, r)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := face.Subset(runes); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(runes)), "runes")
}
