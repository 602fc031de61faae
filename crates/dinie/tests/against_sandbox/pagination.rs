use std::collections::HashSet;

use dinie::CustomerStatus;
use futures_util::TryStreamExt;

use crate::util;

#[tokio::test]
async fn two_hundred_fifty_customers_page_without_gaps_or_duplicates() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let mut created = HashSet::new();
    for i in 0..250 {
        let c = client
            .customers()
            .create(util::cpf(), util::cnpj(util::Form::Mei))
            .name(format!("Cliente {i}"))
            .email("c@example.com")
            .phone("+5511987654321")
            .external_id(format!("ext-{i}"))
            .send()
            .await
            .unwrap();
        created.insert(c.into_customer().id);
    }

    let mut seen = Vec::new();
    let mut list = client.customers().list().limit(100);
    let mut pages = 0;
    loop {
        let page = list.send().await.unwrap();
        pages += 1;
        seen.extend(page.data.iter().map(|c| c.id.clone()));
        if !page.has_more {
            break;
        }
        list = list.starting_after(&page.data.last().unwrap().id);
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 250);
    assert_eq!(seen.iter().cloned().collect::<HashSet<_>>(), created);

    let streamed: Vec<_> = client
        .customers()
        .list()
        .limit(7)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let ids: HashSet<_> = streamed.iter().map(|c| c.id.clone()).collect();
    assert_eq!((streamed.len(), ids), (250, created));

    // The default page size is 25.
    assert_eq!(
        client.customers().list().send().await.unwrap().data.len(),
        25
    );
}

#[tokio::test]
async fn filters_and_their_errors() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let a = util::register(&client).await;
    let b = client
        .customers()
        .create(util::cpf(), util::cnpj(util::Form::Mei))
        .name("B")
        .email("b@example.com")
        .phone("+5511987654321")
        .external_id("crm-b")
        .send()
        .await
        .unwrap()
        .into_customer();

    let masked = dinie::br::Cpf::parse(&a.cpf).unwrap().to_string();
    for query in [masked.as_str(), a.cpf.as_str()] {
        let page = client.customers().list().cpf(query).send().await.unwrap();
        assert_eq!(
            page.data.iter().map(|c| &c.id).collect::<Vec<_>>(),
            [&a.id],
            "{query}"
        );
    }
    let by_ext = client
        .customers()
        .list()
        .external_id("crm-b")
        .send()
        .await
        .unwrap();
    assert_eq!(by_ext.data[0].id, b.id);
    assert_eq!(by_ext.data.len(), 1);
    let pending = client
        .customers()
        .list()
        .status(CustomerStatus::PendingKyc)
        .send()
        .await
        .unwrap();
    assert_eq!(pending.data.len(), 2);
    let active = client
        .customers()
        .list()
        .status("active")
        .send()
        .await
        .unwrap();
    assert!(active.data.is_empty() && !active.has_more);

    for (limit, ok) in [(0u8, false), (1, true), (100, true), (101, false)] {
        let r = client.customers().list().limit(limit).send().await;
        assert_eq!(r.is_ok(), ok, "limit {limit}");
        if let Err(e) = r {
            assert_eq!(
                (e.status(), e.as_api().unwrap().problem.param.as_deref()),
                (Some(400), Some("limit"))
            );
        }
    }
    let err = client
        .customers()
        .list()
        .status("frozen")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.as_api().unwrap().problem.param.as_deref()),
        (Some(400), Some("status"))
    );
}
