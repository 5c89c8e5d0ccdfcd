//! What ties the tour's parts into one story: one heading style, and a record per part (its
//! headline figure and plots) from which the tour writes `index.html` next to the plots.

use crate::plot;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One part's entry on the summary page.
struct Record {
    heading: String,
    headline: String,
    plots: Vec<PathBuf>,
}

static RECORDS: Mutex<Vec<Record>> = Mutex::new(Vec::new());
static CURRENT: Mutex<String> = Mutex::new(String::new());

/// Prints a part's heading (`== 4. Title ==`, one style for every part) and opens its record.
pub fn heading(number: &str, title: &str) {
    let text = format!("{number}. {title}");
    println!("\n== {text} ==");
    if let Ok(mut c) = CURRENT.lock() {
        *c = text;
    }
}

/// Closes the current part's record with its headline figure (one sentence) and the plots
/// it wrote since its heading.
pub fn headline(text: &str) {
    let heading = CURRENT.lock().map(|c| c.clone()).unwrap_or_default();
    if let Ok(mut r) = RECORDS.lock() {
        r.push(Record {
            heading,
            headline: text.to_string(),
            plots: plot::take_collected(),
        });
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Writes `index.html` into `dir`: every part's heading, headline and plots on one page.
pub fn write_index(dir: &Path) -> std::io::Result<PathBuf> {
    let records = RECORDS
        .lock()
        .map(|r| {
            r.iter()
                .map(|x| (x.heading.clone(), x.headline.clone(), x.plots.clone()))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let mut h = String::new();
    h.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>recurrent: the tour</title>\n<style>\n\
         body { font-family: sans-serif; max-width: 1560px; margin: 2em auto; padding: 0 1em;\n\
                color: #222; line-height: 1.45; }\n\
         h1 { font-size: 1.6em; margin-bottom: 0.2em; }\n\
         section { border-top: 1px solid #ddd; padding: 0.6em 0 1em; }\n\
         h2 { font-size: 1.2em; margin: 0.4em 0; }\n\
         p.headline { margin: 0.3em 0 0.8em; }\n\
         .plots { display: flex; flex-wrap: wrap; gap: 10px; }\n\
         .plots a { flex: 1 1 480px; max-width: 760px; }\n\
         .plots img { display: block; width: 100%; height: auto; border: 1px solid #eee; }\n\
         .note { color: #666; font-size: 0.9em; }\n\
         </style>\n</head>\n<body>\n<h1>recurrent: a tour of the classic recurrent networks</h1>\n\
         <p class=\"note\">Written by <code>cargo run --release --example tour</code>; \
         every figure below was measured in that run.</p>\n",
    );
    for (heading, headline, plots) in &records {
        let _ = writeln!(h, "<section>\n<h2>{}</h2>", esc(heading));
        let _ = writeln!(h, "<p class=\"headline\">{}</p>", esc(headline));
        if !plots.is_empty() {
            h.push_str("<div class=\"plots\">\n");
        }
        for p in plots {
            let name = p
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned());
            // the plots sit next to the page, so a bare file name links them
            let _ = writeln!(
                h,
                "<a href=\"{0}\"><img src=\"{0}\" alt=\"{0}\"></a>",
                esc(&name)
            );
        }
        if !plots.is_empty() {
            h.push_str("</div>\n");
        }
        h.push_str("</section>\n");
    }
    h.push_str("</body>\n</html>\n");
    let path = dir.join("index.html");
    std::fs::write(&path, h)?;
    Ok(path)
}
