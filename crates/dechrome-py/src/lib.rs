//! The native module of the `dechrome` Python package (`dechrome._dechrome`). The package's
//! Python code (`python/dechrome`) holds the documented API; this module does the work, with the
//! GIL released while it cleans.
#![deny(clippy::unwrap_used, clippy::expect_used)]

mod arrow;
mod convert;
mod pool;
mod settings;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use dechrome::jsonl::{Compression, JsonlCleaner, JsonlOptions, decoder};
use dechrome::{Cleaner, Stats};
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};

use convert::{Explanation, Text};
use settings::Settings;

/// A compiled cleaner and the settings it was built from.
#[pyclass(frozen, module = "dechrome._dechrome")]
struct Core {
    settings: Settings,
    /// Documents are cleaned one per thread, so this cleaner's streams use one thread.
    cleaner: Cleaner,
}

fn value_error(error: dechrome::Error) -> PyErr {
    PyValueError::new_err(error.to_string())
}

fn pool_error(error: rayon::ThreadPoolBuildError) -> PyErr {
    PyRuntimeError::new_err(format!("cannot start threads: {error}"))
}

/// A str or bytes argument, borrowed from the Python object (which the caller keeps alive).
fn text<'a>(object: &'a Bound<'_, PyAny>) -> PyResult<Text<'a>> {
    if let Ok(string) = object.cast::<PyString>() {
        Ok(Text::Str(string.to_str()?))
    } else if let Ok(bytes) = object.cast::<PyBytes>() {
        Ok(Text::Bytes(bytes.as_bytes()))
    } else {
        Err(PyTypeError::new_err(format!("expected str or bytes, not {}", object.get_type().name()?)))
    }
}

#[pymethods]
impl Core {
    #[new]
    #[pyo3(signature = (
        *, rules, default_rules, disable, keep_quotes, ascii_punct, nfkc, keep_duplicates, keep_mojibake,
        keep_entities, header_lines, footer_lines, max_line_bytes, classifier, model
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        rules: Vec<(String, String)>,
        default_rules: bool,
        disable: Vec<String>,
        keep_quotes: bool,
        ascii_punct: bool,
        nfkc: bool,
        keep_duplicates: bool,
        keep_mojibake: bool,
        keep_entities: bool,
        header_lines: usize,
        footer_lines: usize,
        max_line_bytes: usize,
        classifier: bool,
        model: Option<(String, String)>,
    ) -> PyResult<Self> {
        let settings = Settings {
            rules,
            default_rules,
            disable,
            keep_quotes,
            ascii_punct,
            nfkc,
            keep_duplicates,
            keep_mojibake,
            keep_entities,
            header_lines,
            footer_lines,
            max_line_bytes,
            classifier,
            model,
        };
        let cleaner = py.detach(|| settings.cleaner(1)).map_err(value_error)?;
        Ok(Self { settings, cleaner })
    }

    fn clean(&self, py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<String> {
        let text = self::text(text)?;
        Ok(py.detach(|| text.clean(&self.cleaner)).map_err(value_error)?.0)
    }

    fn clean_with_stats<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyAny>,
    ) -> PyResult<(String, Bound<'py, PyDict>)> {
        let text = self::text(text)?;
        let (cleaned, stats) = py.detach(|| text.clean(&self.cleaner)).map_err(value_error)?;
        Ok((cleaned, convert::stats_dict(py, &stats)?))
    }

    fn explain<'py>(&self, py: Python<'py>, text: &Bound<'py, PyAny>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let text = self::text(text)?;
        let lines = py.detach(|| Explanation::of(&self.cleaner, &text)).map_err(value_error)?;
        lines.iter().map(|line| line.to_dict(py)).collect()
    }

    /// `texts`: a sequence of str or bytes.
    fn clean_batch(&self, py: Python<'_>, texts: &Bound<'_, PyAny>, threads: usize) -> PyResult<Vec<String>> {
        // The objects are held here, so the borrowed texts outlive the GIL-free work.
        let objects: Vec<Bound<'_, PyAny>> = texts.try_iter()?.collect::<PyResult<_>>()?;
        let texts: Vec<Text<'_>> = objects.iter().map(text).collect::<PyResult<_>>()?;
        let cleaned = py.detach(|| pool::map(&texts, threads, |text| text.clean(&self.cleaner))).map_err(pool_error)?;
        cleaned.into_iter().map(|result| result.map(|(text, _)| text).map_err(value_error)).collect()
    }

    /// [`Core::clean_batch`] with the statistics of the whole batch.
    fn clean_batch_with_stats<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        threads: usize,
    ) -> PyResult<(Vec<String>, Bound<'py, PyDict>)> {
        let objects: Vec<Bound<'_, PyAny>> = texts.try_iter()?.collect::<PyResult<_>>()?;
        let texts: Vec<Text<'_>> = objects.iter().map(text).collect::<PyResult<_>>()?;
        let cleaned = py.detach(|| pool::map(&texts, threads, |text| text.clean(&self.cleaner))).map_err(pool_error)?;
        let mut total = Stats::default();
        let mut out = Vec::with_capacity(cleaned.len());
        for result in cleaned {
            let (text, stats) = result.map_err(value_error)?;
            total.merge(&stats);
            out.push(text);
        }
        Ok((out, convert::stats_dict(py, &total)?))
    }

    fn clean_arrow(&self, py: Python<'_>, array: &Bound<'_, PyAny>, threads: usize) -> PyResult<arrow::Exported> {
        let strings = arrow::import(array)?;
        py.detach(|| {
            let values = strings.values();
            let cleaned = pool::map(&values, threads, |value| value.map(|text| self.cleaner.clean_field(text).text))?;
            Ok(arrow::Exported::new(&strings.with_values(&cleaned)))
        })
        .map_err(pool_error)
    }

    #[pyo3(signature = (src, dst, *, text_key, drop_empty, skip_bad_records, bad_records, max_record_bytes, threads))]
    #[allow(clippy::too_many_arguments)]
    fn clean_jsonl<'py>(
        &self,
        py: Python<'py>,
        src: PathBuf,
        dst: PathBuf,
        text_key: String,
        drop_empty: bool,
        skip_bad_records: bool,
        bad_records: Option<PathBuf>,
        max_record_bytes: usize,
        threads: usize,
    ) -> PyResult<Bound<'py, PyDict>> {
        let options = JsonlOptions { text_key, drop_empty, skip_bad_records, max_record_bytes };
        let stats = py.detach(|| -> PyResult<_> {
            let cleaner = self.settings.cleaner(threads).map_err(value_error)?;
            let jsonl = JsonlCleaner::new(cleaner, options);
            let os_error = |path: &PathBuf, what: &str, e: std::io::Error| {
                PyOSError::new_err(format!("{}: {what}: {e}", path.display()))
            };
            let input = File::open(&src).map_err(|e| os_error(&src, "cannot read", e))?;
            let (_, reader) = decoder(input).map_err(|e| os_error(&src, "cannot read", e))?;
            let output = File::create(&dst).map_err(|e| os_error(&dst, "cannot write", e))?;
            // As with the command's `-o FILE`, the output's name says how to compress it.
            let compression = match dst.extension().and_then(|e| e.to_str()) {
                Some("gz") => Compression::Gzip,
                Some("zst") => Compression::Zstd,
                _ => Compression::None,
            };
            let mut encoder =
                compression.encoder(BufWriter::new(output)).map_err(|e| os_error(&dst, "cannot write", e))?;
            let mut bad = match &bad_records {
                Some(path) if skip_bad_records => {
                    Some(BufWriter::new(File::create(path).map_err(|e| os_error(path, "cannot write", e))?))
                }
                _ => None,
            };
            let stats =
                jsonl.clean(reader, &mut encoder, bad.as_mut().map(|b| b as &mut dyn Write)).map_err(|e| match e {
                    dechrome::Error::BadRecord { .. } => PyValueError::new_err(format!("{}: {e}", src.display())),
                    other => PyOSError::new_err(format!("{}: {other}", src.display())),
                })?;
            let mut output = encoder.finish().map_err(|e| os_error(&dst, "cannot write", e))?;
            output.flush().map_err(|e| os_error(&dst, "cannot write", e))?;
            if let (Some(bad), Some(path)) = (bad.as_mut(), &bad_records) {
                bad.flush().map_err(|e| os_error(path, "cannot write", e))?;
            }
            Ok(stats)
        })?;
        convert::jsonl_stats_dict(py, &stats)
    }

    /// The rules in effect, in priority order: (id, category).
    fn rules(&self) -> Vec<(String, String)> {
        self.cleaner.rules().iter().map(|rule| (rule.id.clone(), rule.category.clone())).collect()
    }

    /// Cleaners of these settings compiled by this process (once for each stream thread count
    /// asked for, when the cache works).
    fn builds(&self) -> usize {
        self.settings.builds()
    }

    fn model_name(&self) -> Option<String> {
        self.cleaner.model_name().map(str::to_string)
    }
}

/// Cleaners compiled by this process so far (cached ones are not compiled again).
#[pyfunction]
fn builds() -> usize {
    settings::builds()
}

#[pymodule]
fn _dechrome(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<Core>()?;
    module.add_class::<arrow::Exported>()?;
    module.add_function(wrap_pyfunction!(builds, module)?)?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
