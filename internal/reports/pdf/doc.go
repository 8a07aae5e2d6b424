// Package report renders Sunlight's two published PDF reports, in
// Simplified Chinese on A4:
//
//   - the monthly disclosure (财务公开): income and expense by category for
//     the month and the year to date, the month's posted vouchers with
//     amounts in figures and in capitals and their signature counts,
//     meetings and major matters, contracts, benefits by kind, open and
//     overdue inquiries and the total of collective assets;
//   - the yearly asset-growth summary (社区集体资产增长情况): year-end totals
//     over up to ten years as a table and a bar chart, growth rates, the
//     breakdown by asset category, the year's income and expense, benefits
//     and milestones.
//
// Every page carries "第 x 页 / 共 y 页" and the chain line "上一期报告
// SHA-256: …", the hash of the community's previous report of the same
// kind, so that a published series cannot be silently altered.
//
// The package only lays out: the caller gathers a Monthly or Yearly from the
// database and hands it to a Renderer (or RenderMonthly / RenderYearly).
// It is testable on hand-made structs and does no I/O except writing the
// PDF.
//
// # Guarantees
//
// Reproducible bytes: the same struct and font give byte-identical PDFs.
// The PDF's creation and modification dates are the end of the period
// (00:00 China Standard Time on the first day after it), gofpdf's catalog
// sorting is on, the font subset depends only on the set of characters
// used, and rows are printed in the order given (the gather step sorts).
//
// Real text: all text is set in an embedded CJK TrueType font (package
// sunlight/report/font), so pdftotext and search give it back.
//
// Text safety, checked before any layout:
//   - A character the font has no glyph for never stops a report, nor
//     prints as a silent blank: it is printed as 〓 (Substitute) and
//     logged as a WARN naming the report and the field. Only a font that
//     lacks every substitute (〓, □, ?) makes it an error (*GlyphError,
//     which wraps ErrBadData).
//   - From Layout2 on, a character the main font lacks that the fallback
//     font draws (CJK Extension A and the common Extension B: rare name
//     characters such as 𠮷) prints as written, without a WARN. gofpdf
//     encodes text as UCS-2 and would panic above U+FFFF, so such a
//     character is drawn under a Private Use code of the document's
//     fallback subset inside an ActualText span (see fallbackSubset).
//     Layout1 printed a character above U+FFFF as its code point,
//     "[U+20BB7]", and Layout0 as □, both logged; what no font has is 〓.
//     Invalid UTF-8 is printed as □ (Replacement).
//   - Personal names are masked before they are cleaned (Layout1 on), so
//     a character masked out needs no substitute.
//   - Control and invisible format characters are dropped; tabs become
//     spaces.
//   - No panic escapes a render call; it becomes an error.
//
// Privacy: residents appear only as counts or with masked names (mask.Name:
// 张三春 → 张*春); benefit lines are totals per kind, never per person.
//
// Line breaking is done here, not by gofpdf (whose MultiCell drops a
// character at each automatic break in Chinese): see wrap.
package pdf
