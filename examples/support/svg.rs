//! Hand-written SVG line plots for the examples (no plotting dependency), and the output
//! directory the examples write to.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One line (optionally with dots) on a plot.
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    pub color: &'static str,
    pub dashed: bool,
    pub dots: bool,
}

impl Series {
    pub fn line(name: &str, color: &'static str, points: Vec<(f64, f64)>) -> Self {
        Self {
            name: name.to_string(),
            points,
            color,
            dashed: false,
            dots: false,
        }
    }

    pub fn dashed(mut self) -> Self {
        self.dashed = true;
        self
    }

    pub fn dots(mut self) -> Self {
        self.dots = true;
        self
    }
}

/// A 2-D plot: axes with ticks, series, a legend, and optional text labels on the x axis.
pub struct Plot {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    /// Text ticks `(x, label)` that replace the numeric x ticks.
    pub x_ticks: Vec<(f64, String)>,
    /// Force the y range (else from the data).
    pub y_range: Option<(f64, f64)>,
    /// Same scale on both axes (for trajectories).
    pub equal_aspect: bool,
}

const W: f64 = 720.0;
const H: f64 = 420.0;
const ML: f64 = 70.0;
const MR: f64 = 170.0;
const MT: f64 = 40.0;
const MB: f64 = 55.0;

impl Plot {
    pub fn new(title: &str, x_label: &str, y_label: &str) -> Self {
        Self {
            title: title.to_string(),
            x_label: x_label.to_string(),
            y_label: y_label.to_string(),
            series: Vec::new(),
            x_ticks: Vec::new(),
            y_range: None,
            equal_aspect: false,
        }
    }

    fn bounds(&self) -> (f64, f64, f64, f64) {
        let pts = self.series.iter().flat_map(|s| s.points.iter());
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for &(x, y) in pts {
            if x.is_finite() && y.is_finite() {
                x0 = x0.min(x);
                x1 = x1.max(x);
                y0 = y0.min(y);
                y1 = y1.max(y);
            }
        }
        if x0 > x1 {
            (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
        }
        if let Some((a, b)) = self.y_range {
            (y0, y1) = (a, b);
        }
        if x1 - x0 < 1e-12 {
            x1 = x0 + 1.0;
        }
        if y1 - y0 < 1e-12 {
            y1 = y0 + 1.0;
        }
        if self.y_range.is_none() {
            let pad = 0.05 * (y1 - y0);
            (y0, y1) = (y0 - pad, y1 + pad);
        }
        if self.equal_aspect {
            let (pw, ph) = (W - ML - MR, H - MT - MB);
            let (sx, sy) = ((x1 - x0) / pw, (y1 - y0) / ph);
            let s = sx.max(sy);
            let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
            (x0, x1) = (cx - s * pw / 2.0, cx + s * pw / 2.0);
            (y0, y1) = (cy - s * ph / 2.0, cy + s * ph / 2.0);
        }
        (x0, x1, y0, y1)
    }

    /// The SVG document.
    pub fn to_svg(&self) -> String {
        let (x0, x1, y0, y1) = self.bounds();
        let (pw, ph) = (W - ML - MR, H - MT - MB);
        let sx = |x: f64| ML + (x - x0) / (x1 - x0) * pw;
        let sy = |y: f64| MT + ph - (y - y0) / (y1 - y0) * ph;
        let mut s = String::new();
        let _ = writeln!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">"#
        );
        let _ = writeln!(s, r#"<rect width="{W}" height="{H}" fill="white"/>"#);
        let _ = writeln!(
            s,
            r#"<text x="{}" y="22" text-anchor="middle" font-size="15">{}</text>"#,
            ML + pw / 2.0,
            esc(&self.title)
        );
        let _ = writeln!(
            s,
            r#"<rect x="{ML}" y="{MT}" width="{pw}" height="{ph}" fill="none" stroke="black"/>"#
        );
        // y ticks
        for v in nice_ticks(y0, y1) {
            let y = sy(v);
            let _ = writeln!(
                s,
                r##"<line x1="{ML}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
                ML + pw,
                ML - 6.0,
                y + 4.0,
                fmt_tick(v)
            );
        }
        // x ticks
        if self.x_ticks.is_empty() {
            for v in nice_ticks(x0, x1) {
                let x = sx(v);
                let _ = writeln!(
                    s,
                    r##"<line x1="{x:.1}" y1="{MT}" x2="{x:.1}" y2="{:.1}" stroke="#eee"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
                    MT + ph,
                    MT + ph + 16.0,
                    fmt_tick(v)
                );
            }
        } else {
            for (v, label) in &self.x_ticks {
                let x = sx(*v);
                let _ = writeln!(
                    s,
                    r#"<text x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                    MT + ph + 16.0,
                    esc(label)
                );
            }
        }
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            ML + pw / 2.0,
            H - 12.0,
            esc(&self.x_label)
        );
        let _ = writeln!(
            s,
            r#"<text x="16" y="{:.1}" text-anchor="middle" transform="rotate(-90 16 {:.1})">{}</text>"#,
            MT + ph / 2.0,
            MT + ph / 2.0,
            esc(&self.y_label)
        );
        for (k, se) in self.series.iter().enumerate() {
            let mut d = String::new();
            for (i, &(x, y)) in se.points.iter().enumerate() {
                let _ = write!(
                    d,
                    "{}{:.2},{:.2} ",
                    if i == 0 { "M" } else { "L" },
                    sx(x),
                    sy(y.clamp(y0, y1))
                );
            }
            let dash = if se.dashed {
                r#" stroke-dasharray="6,4""#
            } else {
                ""
            };
            let _ = writeln!(
                s,
                r#"<path d="{}" fill="none" stroke="{}" stroke-width="1.8"{dash}/>"#,
                d.trim_end(),
                se.color
            );
            if se.dots {
                for &(x, y) in &se.points {
                    let _ = writeln!(
                        s,
                        r#"<circle cx="{:.2}" cy="{:.2}" r="2.5" fill="{}"/>"#,
                        sx(x),
                        sy(y.clamp(y0, y1)),
                        se.color
                    );
                }
            }
            let ly = MT + 12.0 + 18.0 * k as f64;
            let lx = ML + pw + 12.0;
            let _ = writeln!(
                s,
                r#"<line x1="{lx}" y1="{ly}" x2="{}" y2="{ly}" stroke="{}" stroke-width="2"{dash}/><text x="{}" y="{}">{}</text>"#,
                lx + 22.0,
                se.color,
                lx + 28.0,
                ly + 4.0,
                esc(&se.name)
            );
        }
        s.push_str("</svg>\n");
        s
    }

    /// Writes the SVG to `dir/name` and returns the path.
    pub fn save(&self, dir: &Path, name: &str) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(name);
        std::fs::write(&path, self.to_svg())?;
        Ok(path)
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn fmt_tick(v: f64) -> String {
    let r = (v * 1e6).round() / 1e6;
    format!("{r}")
}

/// About five round tick values covering `[a, b]`.
fn nice_ticks(a: f64, b: f64) -> Vec<f64> {
    let raw = (b - a) / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let mut v = (a / step).ceil() * step;
    let mut out = Vec::new();
    while v <= b + 1e-9 * step {
        out.push(v);
        v += step;
    }
    out
}

/// `--out DIR` from the command line, else `<target dir>/plots`, found from the running
/// executable (`<target>/<profile>/examples/<name>`), so plots never land in the source tree.
pub fn out_dir(args: &[String]) -> Result<PathBuf, String> {
    let dir = if let Some(i) = args.iter().position(|a| a == "--out") {
        PathBuf::from(args.get(i + 1).ok_or("--out needs a folder")?)
    } else {
        let target = std::env::current_exe().ok().and_then(|exe| {
            exe.parent() // examples
                .and_then(Path::parent) // release or debug
                .and_then(Path::parent) // the target directory
                .map(Path::to_path_buf)
        });
        match target {
            Some(t) => t.join("plots"),
            None => std::env::temp_dir().join("recurrent-plots"),
        }
    };
    // checked (and made) before any work starts, so a bad --out never loses a finished run
    if dir.exists() && !dir.is_dir() {
        return Err(format!("--out {}: is a file, not a folder", dir.display()));
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("--out {}: {e}", dir.display()))?;
    Ok(dir)
}
