//! Permission to mint tokens in a namespace → every service account there.

use super::Technique;
use crate::graph::{Capability, Context, EdgeSink};

declare_technique! {
    /// ## What
    /// Whoever may `create` `serviceaccounts/token` in a namespace may mint a token for any
    /// service account there (the TokenRequest API).
    ///
    /// ## Why
    /// A minted token acts as the account for its lifetime, without touching any pod.
    ///
    /// ## Evidence
    /// The ServiceAccount, after the grant of token creation.
    ///
    /// ## MITRE
    /// T1528 (Steal Application Access Token).
    pub struct TokenRequest {
        id: "T-TOKEN-REQUEST",
        slug: "token-request",
        name: "Mint a service account token",
        mitre: ["T1528"],
    }
}

impl Technique for TokenRequest {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        super::to_service_accounts(context, out, Capability::CreateTokens);
    }
}
