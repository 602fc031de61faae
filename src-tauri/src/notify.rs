//! Desktop notifications: what they say, in the agent's language, and showing them. The
//! wording is kept to what the agent can act on.

use tauri::{AppHandle, Runtime};
use tauri_plugin_notification::NotificationExt;

use crate::services::drafts::outbox::SyncProgress;
use crate::services::follow::Notice;

/// A notification's title and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wording {
    pub title: String,
    pub body: String,
}

/// What to say about a followed customer's change: no name, no reviewer's words (the detail
/// in the app says who and why).
pub fn for_notice(notice: &Notice, language: &str) -> Wording {
    let pt = language == "pt-BR";
    match notice {
        Notice::Activated => Wording {
            title: if pt {
                "Cadastro ativado"
            } else {
                "Registration activated"
            }
            .to_owned(),
            body: if pt {
                "A Dinie ativou o cadastro de um cliente, que já tem oferta de crédito."
            } else {
                "Dinie activated a customer's registration; it has a credit offer."
            }
            .to_owned(),
        },
        Notice::Denied => Wording {
            title: if pt {
                "Cadastro negado"
            } else {
                "Registration denied"
            }
            .to_owned(),
            body: if pt {
                "A Dinie negou o cadastro de um cliente. Abra o Dinie Desk para ver os detalhes."
            } else {
                "Dinie denied a customer's registration. Open Dinie Desk for the details."
            }
            .to_owned(),
        },
        Notice::Rejected { item, kind } => {
            let what = kind
                .as_deref()
                .and_then(|k| short_name(k, pt))
                .map_or_else(|| item.clone(), str::to_owned);
            Wording {
                title: if pt {
                    "Documento recusado"
                } else {
                    "Document rejected"
                }
                .to_owned(),
                body: if pt {
                    format!("A Dinie recusou um documento ({what}). Abra o Dinie Desk para ver o motivo.")
                } else {
                    format!("Dinie rejected a document ({what}). Open Dinie Desk to see why.")
                },
            }
        }
    }
}

/// The short name people use for a kind of evidence (`cnh` → "CNH"), if it has one.
fn short_name(kind: &str, pt: bool) -> Option<&'static str> {
    Some(match (kind, pt) {
        ("cnh", _) => "CNH",
        ("rg", _) => "RG",
        ("ccmei", _) => "CCMEI",
        ("ei_mei", _) => "EI/MEI",
        ("selfie", _) => "Selfie",
        ("proof_of_address", true) => "comprovante de endereço",
        ("proof_of_address", false) => "proof of address",
        ("income_statement", true) => "declaração de faturamento",
        ("income_statement", false) => "income statement",
        ("articles_of_association", true) => "contrato social",
        ("articles_of_association", false) => "articles of association",
        _ => return None,
    })
}

/// `one` or `many`, as `n` asks.
fn plural<'a>(n: u32, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// What to say when a sync run ends.
pub fn for_sync(p: &SyncProgress, language: &str) -> Wording {
    let pt = language == "pt-BR";
    let mut body = if pt {
        format!(
            "{} {} à Dinie",
            p.sent,
            plural(p.sent, "cadastro enviado", "cadastros enviados")
        )
    } else {
        format!(
            "{} {} sent to Dinie",
            p.sent,
            plural(p.sent, "registration", "registrations")
        )
    };
    if p.attention > 0 {
        body += &if pt {
            format!(
                "; {} {} de atenção",
                p.attention,
                plural(p.attention, "precisa", "precisam")
            )
        } else {
            format!(
                "; {} {} attention",
                p.attention,
                plural(p.attention, "needs", "need")
            )
        };
    }
    Wording {
        title: if pt {
            "Rascunhos enviados"
        } else {
            "Drafts sent"
        }
        .to_owned(),
        body,
    }
}

/// Shows a desktop notification (a failure is logged: the app goes on without it).
pub fn show<R: Runtime>(app: &AppHandle<R>, wording: Wording) {
    let shown = app
        .notification()
        .builder()
        .title(wording.title)
        .body(wording.body)
        .show();
    if let Err(e) = shown {
        tracing::warn!(error = %e, "could not show a desktop notification");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wording_follows_the_language() {
        assert_eq!(
            for_notice(&Notice::Activated, "pt-BR").title,
            "Cadastro ativado"
        );
        assert_eq!(
            for_notice(&Notice::Activated, "en").title,
            "Registration activated"
        );
        let rejected = for_notice(
            &Notice::Rejected {
                item: "Carteira Nacional de Habilitação".into(),
                kind: Some("cnh".into()),
            },
            "pt-BR",
        );
        assert!(rejected.body.contains("(CNH)"), "{}", rejected.body);
        let unknown = for_notice(
            &Notice::Rejected {
                item: "Laudo".into(),
                kind: Some("novo_tipo".into()),
            },
            "pt-BR",
        );
        assert!(unknown.body.contains("(Laudo)"), "{}", unknown.body);
        let run = SyncProgress {
            sent: 12,
            attention: 1,
            ..SyncProgress::default()
        };
        assert_eq!(
            for_sync(&run, "pt-BR").body,
            "12 cadastros enviados à Dinie; 1 precisa de atenção"
        );
        assert_eq!(
            for_sync(&run, "en").body,
            "12 registrations sent to Dinie; 1 needs attention"
        );
        let one = SyncProgress {
            sent: 1,
            attention: 2,
            ..SyncProgress::default()
        };
        assert_eq!(
            for_sync(&one, "pt-BR").body,
            "1 cadastro enviado à Dinie; 2 precisam de atenção"
        );
    }
}
