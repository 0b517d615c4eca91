//! Arrow string arrays in and out through the Arrow C data interface (the PyCapsule protocol:
//! `__arrow_c_array__`), so that no Python object is made per string.

use std::sync::Arc;

use arrow_array::ffi::{from_ffi, to_ffi};
use arrow_array::{Array, ArrayRef, LargeStringArray, StringArray, StringViewArray};
use arrow_data::ArrayData;
use arrow_data::ffi::FFI_ArrowArray;
use arrow_schema::DataType;
use arrow_schema::ffi::FFI_ArrowSchema;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

/// An imported array of strings, of one of the three string types.
pub(crate) enum Strings {
    Utf8(StringArray),
    LargeUtf8(LargeStringArray),
    Utf8View(StringViewArray),
}

/// Reads an array exported by any Arrow library through `__arrow_c_array__`.
pub(crate) fn import(object: &Bound<'_, PyAny>) -> PyResult<Strings> {
    if !object.hasattr("__arrow_c_array__")? {
        return Err(PyTypeError::new_err(
            "expected an Arrow array (an object with __arrow_c_array__, such as a pyarrow.Array)",
        ));
    }
    let (schema, array): (Bound<'_, PyCapsule>, Bound<'_, PyCapsule>) =
        object.call_method0("__arrow_c_array__")?.extract()?;
    let schema = schema.pointer_checked(Some(c"arrow_schema"))?;
    let array = array.pointer_checked(Some(c"arrow_array"))?;
    // SAFETY: the capsules are named as the protocol says, so they point to an ArrowSchema and
    // an ArrowArray. The array is moved out (its release callback left empty in the capsule, as
    // the protocol asks of a consumer); the schema is only read while its capsule lives.
    let data = unsafe {
        let array = FFI_ArrowArray::from_raw(array.as_ptr().cast());
        from_ffi(array, &*schema.as_ptr().cast::<FFI_ArrowSchema>())
    }
    .map_err(|e| PyValueError::new_err(format!("cannot import the Arrow array: {e}")))?;
    // Each `from` is given data of its own type.
    match data.data_type() {
        DataType::Utf8 => Ok(Strings::Utf8(StringArray::from(data))),
        DataType::LargeUtf8 => Ok(Strings::LargeUtf8(LargeStringArray::from(data))),
        DataType::Utf8View => Ok(Strings::Utf8View(StringViewArray::from(data))),
        other => Err(PyTypeError::new_err(format!(
            "expected an Arrow array of strings (string, large_string or string_view), not {other}"
        ))),
    }
}

impl Strings {
    /// Each string, `None` for nulls.
    pub(crate) fn values(&self) -> Vec<Option<&str>> {
        match self {
            Strings::Utf8(array) => array.iter().collect(),
            Strings::LargeUtf8(array) => array.iter().collect(),
            Strings::Utf8View(array) => array.iter().collect(),
        }
    }

    /// An array of the input's type holding `values`; a `string` array whose text outgrew 32-bit
    /// offsets becomes a `large_string` array.
    pub(crate) fn with_values(&self, values: &[Option<String>]) -> ArrayRef {
        let values = values.iter().map(Option::as_deref);
        match self {
            Strings::Utf8View(_) => Arc::new(StringViewArray::from_iter(values)),
            Strings::Utf8(_) if values.clone().flatten().map(str::len).sum::<usize>() <= i32::MAX as usize => {
                Arc::new(StringArray::from_iter(values))
            }
            _ => Arc::new(LargeStringArray::from_iter(values)),
        }
    }
}

/// A cleaned array, for any Arrow library to import (`pyarrow.array(it)`).
#[pyclass(frozen, module = "dechrome._dechrome", name = "ArrowArray")]
pub(crate) struct Exported {
    data: ArrayData,
}

impl Exported {
    pub(crate) fn new(array: &ArrayRef) -> Self {
        Self { data: array.to_data() }
    }
}

#[pymethods]
impl Exported {
    /// The Arrow PyCapsule protocol: (schema capsule, array capsule). Each call exports the
    /// same buffers again; a requested schema is not honoured (the type is the input's).
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_array__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<(Bound<'py, PyCapsule>, Bound<'py, PyCapsule>)> {
        let _ = requested_schema;
        let (array, schema) =
            to_ffi(&self.data).map_err(|e| PyValueError::new_err(format!("cannot export the Arrow array: {e}")))?;
        // A capsule not imported by anyone releases its array when Python drops it.
        let schema = PyCapsule::new_with_value(py, schema, c"arrow_schema")?;
        let array = PyCapsule::new_with_value(py, array, c"arrow_array")?;
        Ok((schema, array))
    }

    fn __len__(&self) -> usize {
        self.data.len()
    }
}
