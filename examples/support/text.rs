//! Console text for the examples: long sentences wrapped to the terminal's usual width.
#![allow(dead_code)]

/// The widest line the examples print.
pub const WIDTH: usize = 96;

/// `text` wrapped at word boundaries to [`WIDTH`] characters, continuation lines indented by
/// `indent` spaces (the first line keeps its own leading spaces).
pub fn wrap(text: &str, indent: usize) -> String {
    let lead = text.len() - text.trim_start().len();
    let mut out = String::new();
    let mut line = text[..lead].to_string();
    let mut width = lead;
    let mut first_word = true;
    for word in text.split_whitespace() {
        let w = word.chars().count();
        if !first_word && width + 1 + w > WIDTH {
            out.push_str(&line);
            out.push('\n');
            line = " ".repeat(indent);
            width = indent;
            first_word = true;
        }
        if !first_word {
            line.push(' ');
            width += 1;
        }
        line.push_str(word);
        width += w;
        first_word = false;
    }
    out.push_str(&line);
    out
}

/// Prints `text` wrapped (continuation lines indented by two spaces more than the first).
pub fn say(text: &str) {
    let lead = text.len() - text.trim_start().len();
    println!("{}", wrap(text, lead + 2));
}
