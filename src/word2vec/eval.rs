//! Intrinsic evaluation of word vectors, the way gensim does it: analogy accuracy on a
//! questions-words file (Mikolov et al. 2013) and Spearman's ρ against human similarity
//! judgements (e.g. WordSim353, Finkelstein et al. 2002). The counting rules are documented on
//! the public [`EvalOptions`], the file layouts on the readers.

use super::Word2Vec;
use crate::error::{Error, Result};
use std::collections::{HashMap, HashSet};
use std::io::BufRead;

/// One analogy question: `a` is to `b` as `c` is to `expected`.
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::{Analogy, read_analogies};
/// let set = read_analogies(": family\nman woman king queen\n".as_bytes())?;
/// let q = &set.sections[0].questions[0];
/// assert_eq!(q, &Analogy { a: "man".into(), b: "woman".into(), c: "king".into(), expected: "queen".into() });
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Analogy {
    /// First word of the known pair.
    pub a: String,
    /// Second word of the known pair.
    pub b: String,
    /// First word of the asked pair.
    pub c: String,
    /// The answer.
    pub expected: String,
}

/// A named group of analogy questions (`: capital-common-countries`, …).
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::read_analogies;
/// let set = read_analogies(": royal\nman woman king queen\nman woman prince princess\n: fruit\nking queen apple pear\n".as_bytes())?;
/// let names: Vec<&str> = set.sections.iter().map(|s| s.name.as_str()).collect();
/// assert_eq!(names, ["royal", "fruit"]);
/// assert_eq!(set.sections[0].questions.len(), 2);
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalogySection {
    /// The section name, without the leading `": "`.
    pub name: String,
    /// The questions, in file order.
    pub questions: Vec<Analogy>,
}

/// An analogy file: its sections and the lines that were not questions.
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::read_analogies;
/// let set = read_analogies(": royal\nman woman king queen\nman woman prince princess\n: fruit\nking queen apple pear\n".as_bytes())?;
/// assert_eq!((set.len(), set.sections.len()), (3, 2));
/// assert!(!set.is_empty() && set.skipped_lines.is_empty());
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AnalogySet {
    /// The sections, in file order.
    pub sections: Vec<AnalogySection>,
    /// 1-based numbers of lines skipped because they do not hold exactly four words.
    pub skipped_lines: Vec<usize>,
}

impl AnalogySet {
    /// Number of questions over all sections.
    pub fn len(&self) -> usize {
        self.sections.iter().map(|s| s.questions.len()).sum()
    }

    /// True if there are no questions.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A pair of words with a human similarity score.
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::{WordPair, read_word_pairs};
/// let pairs = read_word_pairs("tiger\tcat\t7.35\n".as_bytes())?;
/// assert_eq!(pairs.pairs[0], WordPair { a: "tiger".into(), b: "cat".into(), score: 7.35 });
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct WordPair {
    /// First word.
    pub a: String,
    /// Second word.
    pub b: String,
    /// The human score (any scale; only its ranks matter for Spearman's ρ).
    pub score: f64,
}

/// A word-pair file: the pairs and the lines that were not pairs.
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::read_word_pairs;
/// let file = "# a comment\nw1\tw2\tscore\ntiger\tcat\t7.35\nbook\tpaper\n";
/// let pairs = read_word_pairs(file.as_bytes())?;
/// assert_eq!(pairs.pairs.len(), 1);
/// assert_eq!(pairs.skipped_lines, [2, 4]); // the header and a line with two fields
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WordPairs {
    /// The pairs, in file order.
    pub pairs: Vec<WordPair>,
    /// 1-based numbers of lines skipped (a header, a line without exactly three tab-separated
    /// fields, or a score that is not a finite number); `#` comments are not listed.
    pub skipped_lines: Vec<usize>,
}

fn utf8_line<'a>(buf: &'a [u8], what: &'static str, line: usize) -> Result<&'a str> {
    std::str::from_utf8(buf).map_err(|e| Error::Format {
        what,
        line,
        reason: format!("not valid UTF-8 ({e})"),
    })
}

/// Reads an analogy file in the `questions-words.txt` layout of Mikolov et al. (2013):
/// lines `a b c d` ("`a` is to `b` as `c` is to `d`"), grouped by `: section` header lines.
/// Lines that do not hold exactly four words are skipped and listed, as gensim skips them.
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::read_analogies;
/// let file = ": family\nman woman king queen\nnot a question\n";
/// let set = read_analogies(file.as_bytes())?;
/// assert_eq!(set.sections[0].name, "family");
/// assert_eq!(set.sections[0].questions[0].expected, "queen");
/// assert_eq!(set.skipped_lines, [3]);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Format`] with the line for a question before the first section header (gensim
/// raises there too) or a line that is not UTF-8; [`Error::Io`] if reading fails.
pub fn read_analogies<R: BufRead>(reader: R) -> Result<AnalogySet> {
    const WHAT: &str = "analogy file";
    let mut set = AnalogySet::default();
    for (k, raw) in reader.split(b'\n').enumerate() {
        let line = k + 1;
        let raw = raw.map_err(|e| Error::io(format!("reading {WHAT}"), e))?;
        let text = utf8_line(&raw, WHAT, line)?;
        if text.starts_with(": ") {
            // gensim: line.lstrip(': ').strip()
            let name = text.trim_start_matches([':', ' ']).trim();
            set.sections.push(AnalogySection {
                name: name.to_string(),
                questions: Vec::new(),
            });
            continue;
        }
        let Some(section) = set.sections.last_mut() else {
            return Err(Error::Format {
                what: WHAT,
                line,
                reason: "question before the first \": section\" header".into(),
            });
        };
        let words: Vec<&str> = text.split_whitespace().collect();
        match words.as_slice() {
            [a, b, c, d] => section.questions.push(Analogy {
                a: a.to_string(),
                b: b.to_string(),
                c: c.to_string(),
                expected: d.to_string(),
            }),
            _ => set.skipped_lines.push(line),
        }
    }
    Ok(set)
}

/// Reads a tab-separated word-pair file (the WordSim353 and SimLex-999 layout):
/// `word₁ TAB word₂ TAB score` lines. Lines starting with `#` are comments; a header line
/// (whose score is not a number) and any line without exactly three fields is skipped and
/// listed, as gensim skips them. Words are kept exactly as written (gensim does not trim
/// them either). Unlike gensim, a `nan` or infinite score is skipped rather than let into
/// the correlation.
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::read_word_pairs;
/// let file = "# WordSim353\nWord 1\tWord 2\tHuman (mean)\nlove\tsex\t6.77\n";
/// let p = read_word_pairs(file.as_bytes())?;
/// assert_eq!((p.pairs[0].b.as_str(), p.pairs[0].score), ("sex", 6.77));
/// assert_eq!(p.skipped_lines, [2]);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Format`] with the line for a line that is not UTF-8; [`Error::Io`] if reading
/// fails.
pub fn read_word_pairs<R: BufRead>(reader: R) -> Result<WordPairs> {
    const WHAT: &str = "word-pair file";
    let mut out = WordPairs::default();
    for (k, raw) in reader.split(b'\n').enumerate() {
        let line = k + 1;
        let raw = raw.map_err(|e| Error::io(format!("reading {WHAT}"), e))?;
        let text = utf8_line(&raw, WHAT, line)?;
        if text.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = text.split('\t').collect();
        let pair = match fields.as_slice() {
            [a, b, s] => s
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|s| s.is_finite())
                .map(|score| WordPair {
                    a: a.to_string(),
                    b: b.to_string(),
                    score,
                }),
            _ => None,
        };
        match pair {
            Some(p) => out.pairs.push(p),
            None => out.skipped_lines.push(line),
        }
    }
    Ok(out)
}

/// How analogies are ranked.
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::{AnalogyMethod, EvalOptions, Word2Vec, evaluate_analogies, read_analogies};
/// let words = ["man", "woman", "king", "queen", "apple"].map(String::from).to_vec();
/// let v = vec![1.0, 0.0, 1.0, 1.0, 3.0, 0.2, 3.0, 1.8, -1.0, -0.2];
/// let m = Word2Vec::from_parts(words, vec![1; 5], 2, v)?;
/// let q = read_analogies(": family\nman woman king queen\n".as_bytes())?;
/// for method in [AnalogyMethod::CosAdd, AnalogyMethod::CosMul] {
///     let opts = EvalOptions { method, ..EvalOptions::default() };
///     assert_eq!(evaluate_analogies(&m, &q, &opts)?.accuracy(), 1.0);
/// }
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnalogyMethod {
    /// 3CosAdd, `argmax cos(x, b − a + c)` on unit vectors (Mikolov et al. 2013; gensim).
    #[default]
    CosAdd,
    /// 3CosMul (Levy & Goldberg 2014), see [`Word2Vec::most_similar_cosmul`].
    CosMul,
}

/// Options of [`evaluate_analogies`] and [`evaluate_word_pairs`], gensim's defaults.
///
/// # How questions are counted (as gensim 4.4's `evaluate_word_analogies` and
/// `evaluate_word_pairs`)
///
/// * Only the first `restrict_vocab` words of the model (default 300,000, in model order, most
///   frequent first) count as known, and only they are candidate answers.
/// * With `case_insensitive` (the default) every word is compared in upper case; a word with
///   several case variants in the model takes the vector of the first (most frequent) one.
/// * A question or pair with an out-of-vocabulary word is skipped and counted (`oov`), or,
///   with `dummy4unknown`, counted as wrong (analogies) or given similarity 0 (pairs).
/// * An analogy is answered by the best of the top 5 candidates (inputs excluded) whose
///   upper-cased form is not one of the question's three words, ranked by 3CosAdd
///   (`cos(x, b) − cos(x, a) + cos(x, c)`, gensim's `most_similar`) or, as an option gensim's
///   evaluation lacks, 3CosMul ([`Word2Vec::most_similar_cosmul`]).
/// * Accuracy is `correct / (correct + incorrect)`, 0 for a section with nothing evaluated.
/// * Spearman's ρ is Pearson's r of the ranks, tied values taking the mean of their ranks
///   (SciPy's `spearmanr`).
///
/// | Name | Default | Purpose |
/// |---|---|---|
/// | `restrict_vocab` | `Some(300_000)` | only the first N model words are known and candidates (`None`: all) |
/// | `case_insensitive` | `true` | compare words in upper case; the first case variant's vector is used |
/// | `dummy4unknown` | `false` | count out-of-vocabulary questions as wrong (pairs: similarity 0) instead of skipping them |
/// | `method` | `CosAdd` | analogy ranking |
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::{EvalOptions, Word2Vec, evaluate_analogies, read_analogies};
/// let words = ["man", "woman", "king", "queen", "apple"].map(String::from).to_vec();
/// let v = vec![1.0, 0.0, 1.0, 1.0, 3.0, 0.2, 3.0, 1.8, -1.0, -0.2];
/// let m = Word2Vec::from_parts(words, vec![1; 5], 2, v)?;
/// let q = read_analogies(": royal\nman woman king queen\nman woman prince princess\n".as_bytes())?;
/// // skipped by default, counted as wrong with dummy4unknown
/// let skip = evaluate_analogies(&m, &q, &EvalOptions::default())?;
/// let strict = EvalOptions { dummy4unknown: true, ..EvalOptions::default() };
/// let count = evaluate_analogies(&m, &q, &strict)?;
/// assert_eq!((skip.accuracy(), count.accuracy()), (1.0, 0.5));
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EvalOptions {
    /// Only the first `N` words of the model count (`None`: all).
    pub restrict_vocab: Option<usize>,
    /// Compare words in upper case.
    pub case_insensitive: bool,
    /// Count out-of-vocabulary items as failures instead of skipping them.
    pub dummy4unknown: bool,
    /// How analogies are ranked.
    pub method: AnalogyMethod,
}

impl Default for EvalOptions {
    fn default() -> Self {
        Self {
            restrict_vocab: Some(300_000),
            case_insensitive: true,
            dummy4unknown: false,
            method: AnalogyMethod::CosAdd,
        }
    }
}

/// Counts for one section (or the total).
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::{EvalOptions, Word2Vec, evaluate_analogies, read_analogies};
/// let words = ["man", "woman", "king", "queen", "apple"].map(String::from).to_vec();
/// let v = vec![1.0, 0.0, 1.0, 1.0, 3.0, 0.2, 3.0, 1.8, -1.0, -0.2];
/// let m = Word2Vec::from_parts(words, vec![1; 5], 2, v)?;
/// let q = read_analogies(": royal\nman woman king queen\nman woman prince princess\n: fruit\nking queen apple pear\n".as_bytes())?;
/// let r = evaluate_analogies(&m, &q, &EvalOptions::default())?;
/// let royal = &r.sections[0];
/// assert_eq!((royal.name.as_str(), royal.correct, royal.oov), ("royal", 1, 1));
/// assert_eq!((royal.evaluated(), royal.accuracy()), (1, 1.0));
/// assert_eq!(r.sections[1].accuracy(), 0.0); // nothing evaluated: "pear" is unknown
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SectionScore {
    /// Section name (`"Total accuracy"` for the total, as gensim names it).
    pub name: String,
    /// Questions answered correctly.
    pub correct: usize,
    /// Questions answered wrongly (including out-of-vocabulary ones with `dummy4unknown`).
    pub incorrect: usize,
    /// Questions with an out-of-vocabulary word.
    pub oov: usize,
}

impl SectionScore {
    /// `correct + incorrect`.
    pub fn evaluated(&self) -> usize {
        self.correct + self.incorrect
    }

    /// `correct / (correct + incorrect)`, or 0 if nothing was evaluated (as gensim).
    pub fn accuracy(&self) -> f64 {
        match self.evaluated() {
            0 => 0.0,
            n => self.correct as f64 / n as f64,
        }
    }
}

/// The result of [`evaluate_analogies`].
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::{EvalOptions, Word2Vec, evaluate_analogies, read_analogies};
/// let words = ["man", "woman", "king", "queen", "apple"].map(String::from).to_vec();
/// let v = vec![1.0, 0.0, 1.0, 1.0, 3.0, 0.2, 3.0, 1.8, -1.0, -0.2];
/// let m = Word2Vec::from_parts(words, vec![1; 5], 2, v)?;
/// let q = read_analogies(": royal\nman woman king queen\nman woman prince princess\n: fruit\nking queen apple pear\n".as_bytes())?;
/// let r = evaluate_analogies(&m, &q, &EvalOptions::default())?;
/// assert_eq!((r.questions, r.total.correct, r.total.oov), (3, 1, 2));
/// assert_eq!(r.accuracy(), 1.0);
/// assert!((r.oov_percent() - 200.0 / 3.0).abs() < 1e-9);
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalogyReport {
    /// Per section, in file order.
    pub sections: Vec<SectionScore>,
    /// Over all sections.
    pub total: SectionScore,
    /// Questions in the file (gensim's `quadruplets_no`).
    pub questions: usize,
}

impl AnalogyReport {
    /// Overall accuracy (gensim's returned score).
    pub fn accuracy(&self) -> f64 {
        self.total.accuracy()
    }

    /// Percentage of questions with an out-of-vocabulary word (gensim's logged
    /// "Quadruplets with out-of-vocabulary words").
    pub fn oov_percent(&self) -> f64 {
        100.0 * self.total.oov as f64 / self.questions.max(1) as f64
    }
}

/// The result of [`evaluate_word_pairs`].
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::{EvalOptions, Word2Vec, evaluate_word_pairs, read_word_pairs};
/// let words = ["cat", "dog", "car"].map(String::from).to_vec();
/// let m = Word2Vec::from_parts(words, vec![1; 3], 2, vec![1.0, 0.1, 1.0, 0.3, 0.0, 1.0])?;
/// let p = read_word_pairs("cat\tdog\t8\ncat\tcar\t2\ndog\tcar\t3\ncat\tunicorn\t1\n".as_bytes())?;
/// let r = evaluate_word_pairs(&m, &p, &EvalOptions::default())?;
/// assert_eq!(r.spearman, Some(1.0)); // the model ranks the pairs as people do
/// assert!(r.pearson.is_some());
/// assert_eq!(r.oov_percent(false), 25.0); // 1 of 4 pairs
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct PairsReport {
    /// Spearman's ρ of human scores against model cosines; `None` if undefined (fewer than
    /// two pairs, or constant scores).
    pub spearman: Option<f64>,
    /// Pearson's r of the same; `None` if undefined.
    pub pearson: Option<f64>,
    /// Pairs that entered the correlation.
    pub used: usize,
    /// Pairs with an out-of-vocabulary word.
    pub oov: usize,
}

impl PairsReport {
    /// gensim's `oov_ratio`, a percentage: `oov / (used + oov)`, or `oov / used` with
    /// `dummy4unknown` (where the OOV pairs are among the used ones).
    pub fn oov_percent(&self, dummy4unknown: bool) -> f64 {
        let denom = if dummy4unknown {
            self.used
        } else {
            self.used + self.oov
        };
        100.0 * self.oov as f64 / denom.max(1) as f64
    }
}

/// The words the evaluation knows (the first `limit` of the model): key → model index. Case
/// sensitive, the model's own vocabulary answers; case insensitive, an upper-cased map is
/// built in which the first (most frequent) variant wins.
struct Known<'a> {
    upper_map: Option<HashMap<String, usize>>,
    model: &'a Word2Vec,
    limit: usize,
}

impl<'a> Known<'a> {
    fn new(model: &'a Word2Vec, opts: &EvalOptions) -> Self {
        let limit = opts
            .restrict_vocab
            .map_or(model.words().len(), |r| r.min(model.words().len()));
        let upper_map = opts.case_insensitive.then(|| {
            let mut map = HashMap::with_capacity(limit);
            for (i, w) in model.words()[..limit].iter().enumerate() {
                map.entry(w.to_uppercase()).or_insert(i);
            }
            map
        });
        Self {
            upper_map,
            model,
            limit,
        }
    }

    fn key(&self, w: &str) -> String {
        if self.upper_map.is_some() {
            w.to_uppercase()
        } else {
            w.to_string()
        }
    }

    fn get(&self, key: &str) -> Option<usize> {
        match &self.upper_map {
            Some(map) => map.get(key).copied(),
            None => self.model.vocab().index(key).filter(|&i| i < self.limit),
        }
    }
}

/// Scores `model` on analogy questions, as gensim's `evaluate_word_analogies` (see
/// [`EvalOptions`] for how questions are counted).
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::{EvalOptions, Word2Vec, evaluate_analogies, read_analogies};
/// let words = ["man", "woman", "king", "queen", "apple"].map(String::from).to_vec();
/// let v = [1.0, 0.0, 1.0, 1.0, 3.0, 0.2, 3.0, 1.8, -1.0, -0.2];
/// let m = Word2Vec::from_parts(words, vec![1; 5], 2, v.to_vec())?;
/// let q = read_analogies(": royal\nMan Woman King Queen\nman woman prince princess\n".as_bytes())?;
/// let r = evaluate_analogies(&m, &q, &EvalOptions::default())?;
/// assert_eq!((r.total.correct, r.total.oov, r.accuracy()), (1, 1, 1.0));
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Empty`] if the set has no questions (gensim divides by zero there).
///
/// # Complexity
///
/// `O(Q·V·d)` for `Q` in-vocabulary questions over `V = restrict_vocab` words of dimension
/// `d` (3CosMul: three scans per question).
pub fn evaluate_analogies(
    model: &Word2Vec,
    set: &AnalogySet,
    opts: &EvalOptions,
) -> Result<AnalogyReport> {
    if set.is_empty() {
        return Err(Error::Empty {
            op: "evaluate_analogies",
            what: "analogy questions",
        });
    }
    let known = Known::new(model, opts);
    let mut total = SectionScore {
        name: "Total accuracy".into(),
        ..SectionScore::default()
    };
    let mut sections = Vec::with_capacity(set.sections.len());
    for section in &set.sections {
        let mut score = SectionScore {
            name: section.name.clone(),
            ..SectionScore::default()
        };
        for q in &section.questions {
            let keys = [&q.a, &q.b, &q.c, &q.expected].map(|w| known.key(w));
            let ids = keys.each_ref().map(|k| known.get(k));
            let [Some(ia), Some(ib), Some(ic), Some(_)] = ids else {
                score.oov += 1;
                if opts.dummy4unknown {
                    score.incorrect += 1;
                }
                continue;
            };
            if answer(&known, opts.method, [ia, ib, ic], &keys) {
                score.correct += 1;
            } else {
                score.incorrect += 1;
            }
        }
        total.correct += score.correct;
        total.incorrect += score.incorrect;
        total.oov += score.oov;
        sections.push(score);
    }
    Ok(AnalogyReport {
        sections,
        total,
        questions: set.len(),
    })
}

/// Answers one in-vocabulary question as gensim does: the first of the top 5 candidates
/// whose key is not one of the question's three, else the last candidate.
fn answer(
    known: &Known,
    method: AnalogyMethod,
    [ia, ib, ic]: [usize; 3],
    keys: &[String; 4],
) -> bool {
    let m = known.model;
    let exclude = [ia, ib, ic];
    let scores = match method {
        AnalogyMethod::CosAdd => {
            let (ua, ub, uc) = (m.unit_at(ia), m.unit_at(ib), m.unit_at(ic));
            let q: Vec<f64> = (0..m.dim)
                .map(|j| f64::from(ub[j]) + f64::from(uc[j]) - f64::from(ua[j]))
                .collect();
            let qn = q.iter().map(|x| x * x).sum::<f64>().sqrt();
            let inv = if qn > 0.0 { 1.0 / qn } else { 0.0 };
            let q: Vec<f32> = q.iter().map(|x| (x * inv) as f32).collect();
            m.cosines(&q, known.limit)
        }
        AnalogyMethod::CosMul => m.cosmul_scores(&[ib, ic], &[ia], known.limit),
    };
    let ignore: HashSet<&str> = keys[..3].iter().map(String::as_str).collect();
    let mut predicted = None;
    for (i, _) in super::query::top_k(&scores, &exclude, 5) {
        let key = known.key(&m.words()[i]);
        let stop = known.get(&key).is_some() && !ignore.contains(key.as_str());
        predicted = Some(key);
        if stop {
            break;
        }
    }
    predicted.as_deref() == Some(keys[3].as_str())
}

/// Scores `model` against human similarity judgements, as gensim's `evaluate_word_pairs`:
/// Spearman's ρ and Pearson's r between the human scores and the model's cosines over the
/// in-vocabulary pairs (see [`EvalOptions`] for how pairs are counted).
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::{EvalOptions, Word2Vec, evaluate_word_pairs, read_word_pairs};
/// let words = ["cat", "dog", "car"].map(String::from).to_vec();
/// let m = Word2Vec::from_parts(words, vec![1; 3], 2, vec![1.0, 0.1, 1.0, 0.3, 0.0, 1.0])?;
/// let p = read_word_pairs("cat\tdog\t8\ncat\tcar\t2\ndog\tcar\t3\ncat\tunicorn\t1\n".as_bytes())?;
/// let r = evaluate_word_pairs(&m, &p, &EvalOptions::default())?;
/// assert_eq!(r.spearman, Some(1.0));
/// assert_eq!((r.used, r.oov), (3, 1));
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Empty`] if no pair is usable (gensim raises there too).
pub fn evaluate_word_pairs(
    model: &Word2Vec,
    pairs: &WordPairs,
    opts: &EvalOptions,
) -> Result<PairsReport> {
    let known = Known::new(model, opts);
    let (mut gold, mut sims) = (Vec::new(), Vec::new());
    let mut oov = 0;
    for p in &pairs.pairs {
        match (known.get(&known.key(&p.a)), known.get(&known.key(&p.b))) {
            (Some(i), Some(j)) => {
                gold.push(p.score);
                let row = |k: usize| &model.vectors[k * model.dim..(k + 1) * model.dim];
                sims.push(super::query::cosine64(row(i), row(j)));
            }
            _ => {
                oov += 1;
                if opts.dummy4unknown {
                    gold.push(p.score);
                    sims.push(0.0);
                }
            }
        }
    }
    if gold.is_empty() {
        return Err(Error::Empty {
            op: "evaluate_word_pairs",
            what: "in-vocabulary word pairs",
        });
    }
    Ok(PairsReport {
        spearman: spearman(&gold, &sims).ok(),
        pearson: pearson(&gold, &sims).ok(),
        used: gold.len(),
        oov,
    })
}

/// Ranks `1..=n` of `x`, ties sharing the mean of their ranks (SciPy's `rankdata`,
/// method `"average"`).
///
/// # Examples
///
/// ```
/// assert_eq!(recurrent::word2vec::average_ranks(&[10.0, 30.0, 20.0, 20.0]), [1.0, 4.0, 2.5, 2.5]);
/// ```
pub fn average_ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&i, &j| x[i].total_cmp(&x[j]));
    let mut ranks = vec![0.0; x.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && x[order[end]] == x[order[start]] {
            end += 1;
        }
        // Positions start..end (0-based) hold ranks start+1..=end; their mean:
        let r = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = r;
        }
        start = end;
    }
    ranks
}

fn check_pair(op: &'static str, x: &[f64], y: &[f64]) -> Result<()> {
    crate::error::check_shape(op, "y", (x.len(), 1), (y.len(), 1))?;
    if x.len() < 2 {
        return Err(Error::Empty {
            op,
            what: "data (at least two points)",
        });
    }
    for (what, v) in [("x", x), ("y", y)] {
        if let Some(index) = v.iter().position(|a| !a.is_finite()) {
            return Err(Error::NonFinite { op, what, index });
        }
    }
    Ok(())
}

/// Pearson's correlation `r = Σ(xᵢ − x̄)(yᵢ − ȳ) / √(Σ(xᵢ − x̄)² · Σ(yᵢ − ȳ)²)`.
///
/// # Examples
///
/// ```
/// let r = recurrent::word2vec::pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.5])?;
/// assert!(r > 0.99 && r < 1.0);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::DimensionMismatch`] if the lengths differ; [`Error::Empty`] for fewer than two
/// points; [`Error::NonFinite`] for NaN or infinity; [`Error::Numerical`] if either
/// variable is constant (r is undefined).
pub fn pearson(x: &[f64], y: &[f64]) -> Result<f64> {
    check_pair("pearson", x, y)?;
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx == 0.0 || syy == 0.0 {
        return Err(Error::Numerical {
            op: "pearson",
            reason: "a variable is constant, so the correlation is undefined".into(),
        });
    }
    Ok((sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// Spearman's rank correlation ρ: Pearson's r of the [`average_ranks`] of `x` and `y`
/// (ties take the mean of their ranks, as SciPy's `spearmanr`).
///
/// # Examples
///
/// ```
/// // Ranks (1, 2.5, 2.5, 4) against (1, 3, 2, 4): ρ = 4.5 / √(4.5 · 5).
/// let rho = recurrent::word2vec::spearman(&[1.0, 2.0, 2.0, 4.0], &[10.0, 30.0, 20.0, 40.0])?;
/// assert!((rho - 4.5 / (4.5f64 * 5.0).sqrt()).abs() < 1e-12);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// As [`pearson`].
pub fn spearman(x: &[f64], y: &[f64]) -> Result<f64> {
    check_pair("spearman", x, y)?;
    pearson(&average_ranks(x), &average_ranks(y)).map_err(|_| Error::Numerical {
        op: "spearman",
        reason: "a variable is constant, so the correlation is undefined".into(),
    })
}
