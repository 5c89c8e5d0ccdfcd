//! The examples' plots, drawn with `plotters` (SVG backend), and the one folder every
//! example and the tour writes them to.
//!
//! A [`Plot`] is a title, two labelled axes (linear or log₁₀ on y), some [`Series`], and a
//! legend in a column of its own at the right, sized to its longest entry so it never runs
//! off the picture. [`out_dir`] resolves `--out DIR` (default `target/plots/` under the
//! workspace root, wherever the user stands) and [`shown`] prints a path relative to the
//! current directory.
#![allow(dead_code)]

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// One line (optionally dashed, optionally with dots) on a plot.
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    /// `#rrggbb`.
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

/// A 2-D line plot.
pub struct Plot {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    /// Text ticks `(x, label)` that replace the numeric x ticks (e.g. letters).
    pub x_ticks: Vec<(f64, String)>,
    /// Force the x range (else from the data).
    pub x_range: Option<(f64, f64)>,
    /// Force the y range (else from the data, padded).
    pub y_range: Option<(f64, f64)>,
    /// A log₁₀ y axis (non-positive values are left out).
    pub log_y: bool,
    /// Same scale on both axes (for trajectories).
    pub equal_aspect: bool,
    /// Horizontal reference lines `(y, label)`, drawn dotted in grey.
    pub hlines: Vec<(f64, String)>,
    /// Size of the whole picture in pixels.
    pub size: (u32, u32),
}

const LEGEND_ROW: i32 = 20;

impl Plot {
    pub fn new(title: &str, x_label: &str, y_label: &str) -> Self {
        Self {
            title: title.to_string(),
            x_label: x_label.to_string(),
            y_label: y_label.to_string(),
            series: Vec::new(),
            x_ticks: Vec::new(),
            x_range: None,
            y_range: None,
            log_y: false,
            equal_aspect: false,
            hlines: Vec::new(),
            size: (860, 440),
        }
    }

    /// A log₁₀ y axis.
    pub fn log_y(mut self) -> Self {
        self.log_y = true;
        self
    }

    fn usable(&self, y: f64) -> bool {
        y.is_finite() && (!self.log_y || y > 0.0)
    }

    /// The data bounds `(x0, x1, y0, y1)` (y in log₁₀ units when `log_y`).
    fn bounds(&self, plot_px: (f64, f64)) -> (f64, f64, f64, f64) {
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        let ys = self.hlines.iter().map(|h| h.0);
        for (x, y) in self
            .series
            .iter()
            .flat_map(|s| s.points.iter().copied())
            .filter(|p| p.0.is_finite() && self.usable(p.1))
        {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        for y in ys.filter(|y| self.usable(*y)) {
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        if x0 > x1 {
            (x0, x1) = (0.0, 1.0);
        }
        if y0 > y1 {
            (y0, y1) = if self.log_y { (0.1, 10.0) } else { (0.0, 1.0) };
        }
        if let Some(r) = self.x_range {
            (x0, x1) = r;
        }
        if self.log_y {
            (y0, y1) = (y0.log10(), y1.log10());
        }
        if let Some((a, b)) = self.y_range {
            (y0, y1) = if self.log_y {
                (a.log10(), b.log10())
            } else {
                (a, b)
            };
        } else if self.log_y {
            // whole decades
            (y0, y1) = (y0.floor(), y1.ceil());
        } else {
            let pad = 0.05 * (y1 - y0);
            (y0, y1) = (y0 - pad, y1 + pad);
        }
        if x1 - x0 < 1e-12 {
            x1 = x0 + 1.0;
        }
        if y1 - y0 < 1e-12 {
            y1 = y0 + 1.0;
        }
        if self.equal_aspect {
            let (pw, ph) = plot_px;
            let (sx, sy) = ((x1 - x0) / pw, (y1 - y0) / ph);
            let s = sx.max(sy);
            let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
            (x0, x1) = (cx - s * pw / 2.0, cx + s * pw / 2.0);
            (y0, y1) = (cy - s * ph / 2.0, cy + s * ph / 2.0);
        }
        (x0, x1, y0, y1)
    }

    /// Width in pixels of the legend column (0 without legend entries).
    fn legend_width(&self) -> u32 {
        let longest = self
            .series
            .iter()
            .map(|s| s.name.chars().count())
            .max()
            .unwrap_or(0);
        if longest == 0 {
            0
        } else {
            // 13 px sans-serif: about 7 px per character, plus the line sample
            (longest as u32 * 7 + 56).min(self.size.0 / 2)
        }
    }

    /// Draws the plot into `area`.
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        let (w, h) = area.dim_in_pixel();
        let inner = area.titled(&self.title, ("sans-serif", 17)).map_err(err)?;
        let legend_w = self.legend_width();
        let (chart_area, legend_area) = inner.split_horizontally(w.saturating_sub(legend_w));
        // the plotting box (the label areas below are 45 and 70 px)
        let plot_px = (
            f64::from(w.saturating_sub(legend_w + 90)),
            f64::from(h.saturating_sub(100)),
        );
        let (x0, x1, y0, y1) = self.bounds(plot_px);
        let mut chart = ChartBuilder::on(&chart_area)
            .margin(10)
            .margin_right(20)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(err)?;
        let log = self.log_y;
        let y_fmt = move |v: &f64| {
            if log { power_of_ten(*v) } else { tick(*v) }
        };
        let ticks = &self.x_ticks;
        let x_fmt = |v: &f64| {
            if ticks.is_empty() {
                tick(*v)
            } else {
                ticks
                    .iter()
                    .find(|t| (t.0 - *v).abs() < 1e-6)
                    .map_or(String::new(), |t| t.1.clone())
            }
        };
        let mut mesh = chart.configure_mesh();
        mesh.x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .axis_desc_style(("sans-serif", 14))
            .label_style(("sans-serif", 12))
            .light_line_style(RGBColor(240, 240, 240))
            .bold_line_style(RGBColor(215, 215, 215))
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt);
        if log {
            // one label per decade (or per two, three … decades when there are many)
            let decades = (y1 - y0).round() as usize;
            mesh.y_labels(decades.div_ceil(decades.div_ceil(10)) + 1);
        }
        if !ticks.is_empty() {
            mesh.x_labels(ticks.len() + 1);
        }
        mesh.draw().map_err(err)?;
        let y_of = |y: f64| if log { y.log10() } else { y };
        for (y, label) in &self.hlines {
            if !self.usable(*y) {
                continue;
            }
            let grey = RGBColor(120, 120, 120);
            chart
                .draw_series(DashedLineSeries::new(
                    [(x0, y_of(*y)), (x1, y_of(*y))],
                    3,
                    3,
                    grey.stroke_width(1),
                ))
                .map_err(err)?;
            chart
                // the label sits just above its line, not struck through by it
                .draw_series(std::iter::once(
                    EmptyElement::at((x0, y_of(*y)))
                        + Text::new(
                            label.clone(),
                            (6, -15),
                            ("sans-serif", 12).into_font().color(&grey),
                        ),
                ))
                .map_err(err)?;
        }
        for s in &self.series {
            let colour = hex(s.color);
            let pts: Vec<(f64, f64)> = s
                .points
                .iter()
                .filter(|p| p.0.is_finite() && self.usable(p.1))
                .map(|&(x, y)| (x, y_of(y).clamp(y0, y1)))
                .collect();
            let style = colour.stroke_width(2);
            if s.dashed {
                chart
                    .draw_series(DashedLineSeries::new(pts.clone(), 7, 4, style))
                    .map_err(err)?;
            } else {
                chart
                    .draw_series(LineSeries::new(pts.clone(), style))
                    .map_err(err)?;
            }
            if s.dots {
                chart
                    .draw_series(pts.iter().map(|p| Circle::new(*p, 3, colour.filled())))
                    .map_err(err)?;
            }
        }
        // the legend, in its own column
        for (k, s) in self.series.iter().enumerate() {
            let colour = hex(s.color);
            let y = 50 + LEGEND_ROW * k as i32;
            let style = colour.stroke_width(2);
            if s.dashed {
                legend_area
                    .draw(&DashedPathElement::new([(4, y), (34, y)], 7, 4, style))
                    .map_err(err)?;
            } else {
                legend_area
                    .draw(&PathElement::new([(4, y), (34, y)], style))
                    .map_err(err)?;
            }
            if s.dots {
                legend_area
                    .draw(&Circle::new((19, y), 3, colour.filled()))
                    .map_err(err)?;
            }
            legend_area
                .draw(&Text::new(
                    s.name.clone(),
                    (42, y - 7),
                    ("sans-serif", 13).into_font(),
                ))
                .map_err(err)?;
        }
        Ok(())
    }

    /// Writes the SVG to `dir/name` and returns its path.
    pub fn save(&self, dir: &Path, name: &str) -> Result<PathBuf, String> {
        let path = dir.join(name);
        {
            let root = SVGBackend::new(&path, self.size).into_drawing_area();
            root.fill(&WHITE).map_err(|e| e.to_string())?;
            self.draw(&root)?;
            root.present()
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(path)
    }
}

/// Writes several plots side by side, each with its own title and legend, under one heading.
pub fn save_row(title: &str, plots: &[Plot], dir: &Path, name: &str) -> Result<PathBuf, String> {
    let path = dir.join(name);
    let w: u32 = plots.iter().map(|p| p.size.0).sum();
    let h = plots.iter().map(|p| p.size.1).max().unwrap_or(440) + 40;
    {
        let root = SVGBackend::new(&path, (w.max(1), h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let inner = root
            .titled(title, ("sans-serif", 19))
            .map_err(|e| e.to_string())?;
        let mut rest = inner;
        for p in plots {
            let (left, right) = rest.split_horizontally(p.size.0);
            p.draw(&left)?;
            rest = right;
        }
        root.present()
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(path)
}

/// Plots written while [`collect`] is on, for the tour's summary page.
static COLLECTED: std::sync::Mutex<Option<Vec<PathBuf>>> = std::sync::Mutex::new(None);

/// From now on [`announce`] records the paths instead of printing them (the tour prints the
/// folder once at the end and shows every plot on its `index.html`).
pub fn collect() {
    if let Ok(mut c) = COLLECTED.lock() {
        c.get_or_insert_with(Vec::new);
    }
}

/// The plots recorded since the last call (empty unless [`collect`] is on).
pub fn take_collected() -> Vec<PathBuf> {
    COLLECTED
        .lock()
        .ok()
        .and_then(|mut c| c.as_mut().map(std::mem::take))
        .unwrap_or_default()
}

/// Tells the user about a plot just written: `plot: <path relative to here>`, or records it
/// when the tour collects them.
pub fn announce(path: &Path) {
    if let Ok(mut c) = COLLECTED.lock()
        && let Some(list) = c.as_mut()
    {
        list.push(path.to_path_buf());
        return;
    }
    println!("plot: {}", shown(path));
}

/// `#rrggbb` to a colour (black when malformed).
fn hex(s: &str) -> RGBColor {
    let s = s.trim_start_matches('#');
    let (s, expand) = if s.len() == 3 { (s, true) } else { (s, false) };
    let v = u32::from_str_radix(s, 16).unwrap_or(0);
    if expand {
        let d = |k: u32| ((v >> (4 * k)) & 0xf) as u8 * 17;
        RGBColor(d(2), d(1), d(0))
    } else {
        RGBColor((v >> 16) as u8, (v >> 8) as u8, v as u8)
    }
}

/// A tick value without float noise: `0.30000000000000004` → `0.3`, `-0` → `0`.
fn tick(v: f64) -> String {
    let r = (v * 1e9).round() / 1e9;
    let r = if r == 0.0 { 0.0 } else { r };
    let s = format!("{r}");
    if r.abs() >= 1e5 && r.fract() == 0.0 {
        format!("{r:.0e}")
    } else {
        s
    }
}

/// `10ⁿ` for a log₁₀ tick at `n` (only whole decades are labelled).
fn power_of_ten(n: f64) -> String {
    if (n - n.round()).abs() > 1e-6 {
        return String::new();
    }
    let n = n.round() as i64;
    if n == 0 {
        return "1".into();
    }
    if n == 1 {
        return "10".into();
    }
    const SUP: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let mut e: String = n
        .unsigned_abs()
        .to_string()
        .chars()
        .map(|c| SUP[c as usize - '0' as usize])
        .collect();
    if n < 0 {
        e.insert(0, '⁻');
    }
    format!("10{e}")
}

/// The default plot folder: `target/plots/` under the workspace root (the folder holding this
/// crate's `Cargo.toml`), whatever the current directory or `CARGO_TARGET_DIR`.
pub fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("plots")
}

/// The plot folder: `choice` (from `--out DIR`) or [`default_dir`], checked and created
/// before any work starts, so a bad `--out` never loses a finished run.
pub fn out_dir(choice: Option<&Path>) -> Result<PathBuf, String> {
    let dir = choice.map_or_else(default_dir, Path::to_path_buf);
    if dir.exists() && !dir.is_dir() {
        return Err(format!("--out {}: is a file, not a folder", dir.display()));
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("--out {}: {e}", dir.display()))?;
    Ok(dir)
}

/// `path` as the user should see it: relative to the current directory when it lies below
/// it or at most three levels up (`../target/plots/x.svg`), else absolute.
pub fn shown(path: &Path) -> String {
    let Ok(cwd) = std::env::current_dir() else {
        return path.display().to_string();
    };
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let abs = normalise(&abs);
    let cwd = normalise(&cwd);
    // walk up from the current directory until `abs` lies below it
    let mut base = cwd.as_path();
    let mut ups = 0;
    loop {
        if let Ok(rest) = abs.strip_prefix(base) {
            // only the file system's root in common, or far up: the absolute path reads better
            if ups > 3 || (ups > 0 && base.parent().is_none()) {
                break;
            }
            let mut rel = PathBuf::new();
            for _ in 0..ups {
                rel.push("..");
            }
            rel.push(rest);
            if rel.as_os_str().is_empty() {
                return ".".into();
            }
            return rel.display().to_string();
        }
        match base.parent() {
            Some(p) => {
                base = p;
                ups += 1;
            }
            None => break,
        }
    }
    abs.display().to_string()
}

/// Removes `.` and `..` components without touching the file system.
fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
