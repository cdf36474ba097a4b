//! The Falco rules loader: lists, macros and rules with append/override across files, and the
//! condition language.

use super::LoadError;
use super::RuleSource;
use super::rule::CompiledRule;

/// Loads Falco rule sources in order into compiled rules.
pub(crate) fn load(_sources: &[RuleSource<'_>], _errors: &mut Vec<LoadError>) -> Vec<CompiledRule> {
    Vec::new()
}
