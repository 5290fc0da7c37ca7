//! Loading: read a bundle's files and parse them into the spanned [`crate::model`].
