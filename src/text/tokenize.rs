use std::collections::HashSet;

/// Splits text into lower-case word tokens.
///
/// A token is a maximal run of alphanumeric characters (Unicode `char::is_alphanumeric`):
/// every other character (space, punctuation, apostrophe, hyphen) separates tokens, so
/// `"don't"` gives `"don"` and `"t"`. Tokens are then lower-cased (Unicode lower case), tokens
/// shorter than `min_len` characters are dropped, and so are stop words (compared after
/// lower-casing).
///
/// | Name | Default | Purpose |
/// |---|---|---|
/// | `lowercase` | `true` | lower-case every token |
/// | `min_len` | 1 | drop shorter tokens (scikit-learn's default pattern `\b\w\w+\b` is `min_len = 2`; the lecture's table keeps `"a"`) |
/// | `stop_words` | none | drop these words |
///
/// # Examples
///
/// ```
/// use recurrent::text::Tokenizer;
/// let t = Tokenizer::default();
/// assert_eq!(t.tokenize("Very bad. Very, very bad!"), ["very", "bad", "very", "very", "bad"]);
/// let t = Tokenizer::default().with_min_len(2).with_stop_words(["the"]);
/// assert_eq!(t.tokenize("In the beginning, a word"), ["in", "beginning", "word"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tokenizer {
    lowercase: bool,
    min_len: usize,
    stop_words: HashSet<String>,
}

impl Default for Tokenizer {
    fn default() -> Self {
        Self {
            lowercase: true,
            min_len: 1,
            stop_words: HashSet::new(),
        }
    }
}

impl Tokenizer {
    /// Whether tokens are lower-cased (default `true`).
    pub fn with_lowercase(mut self, lowercase: bool) -> Self {
        self.lowercase = lowercase;
        self
    }

    /// Drops tokens with fewer than `min_len` characters (default 1; 0 behaves as 1).
    pub fn with_min_len(mut self, min_len: usize) -> Self {
        self.min_len = min_len;
        self
    }

    /// Drops these words (matched after lower-casing, when that is on).
    pub fn with_stop_words<I, S>(mut self, words: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.stop_words.extend(words.into_iter().map(Into::into));
        self
    }

    /// The tokens of `text`, in order, as an iterator.
    pub fn tokens<'a>(&'a self, text: &'a str) -> impl Iterator<Item = String> + 'a {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(move |t| !t.is_empty() && t.chars().count() >= self.min_len)
            .map(move |t| {
                if self.lowercase {
                    t.to_lowercase()
                } else {
                    t.to_string()
                }
            })
            .filter(move |t| !self.stop_words.contains(t))
    }

    /// The tokens of `text`, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::text::Tokenizer;
    /// let t = Tokenizer::default();
    /// assert_eq!(t.tokenize("Hello, World! It's 2024."), ["hello", "world", "it", "s", "2024"]);
    /// let t = Tokenizer::default().with_min_len(2).with_stop_words(["the"]);
    /// assert_eq!(t.tokenize("The cat, a dog"), ["cat", "dog"]);
    /// ```
    pub fn tokenize(&self, text: &str) -> Vec<String> {
        self.tokens(text).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_non_alphanumerics_and_lowercases() {
        let t = Tokenizer::default();
        assert_eq!(
            t.tokenize("Don't  STOP—Ünïcode 42x\tok"),
            ["don", "t", "stop", "ünïcode", "42x", "ok"]
        );
        assert!(t.tokenize("").is_empty());
        assert!(t.tokenize(" ,.;! ").is_empty());
        let keep = Tokenizer::default().with_lowercase(false);
        assert_eq!(keep.tokenize("The End"), ["The", "End"]);
    }

    #[test]
    fn min_len_counts_characters_not_bytes() {
        let t = Tokenizer::default().with_min_len(2);
        assert_eq!(t.tokenize("é a ab éé"), ["ab", "éé"]);
        assert_eq!(Tokenizer::default().with_min_len(0).tokenize("a"), ["a"]);
    }
}
