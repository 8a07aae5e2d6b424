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
//   - A character the font has no glyph for is an error naming the field
//     and the character (*GlyphError, which wraps ErrBadData), never a
//     silent blank.
//   - A character above U+FFFF (rare name characters such as 𠮷) and
//     invalid UTF-8 are printed as □ (Replacement): gofpdf cannot encode
//     them and would panic, and □ is the customary mark for a character
//     that cannot be typeset, so the reader sees where one was.
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
