//! Reports: scenario comparison, costs and check results as PDF, HTML, Markdown, JSON and CSV.
