//! The SSIS expression language: parsing, typing and evaluation.
