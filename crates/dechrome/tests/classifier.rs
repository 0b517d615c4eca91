//! The built-in classifier through the public API: what it does with a whole page that the
//! rules alone do not, and the decisions it makes with the rules (a drop-rest that would take
//! the article, a headline at the top, rules that need context, short documents).

use dechrome::{CLASSIFIER_REASON_ID, Cleaner};

fn cleaner() -> Cleaner {
    Cleaner::builder().build().unwrap_or_else(|e| panic!("{e}"))
}

fn rules_only() -> Cleaner {
    Cleaner::builder().classifier(false).build().unwrap_or_else(|e| panic!("{e}"))
}

const ARTICLE: [&str; 8] = [
    "The city council voted on Tuesday to expand the bus network into the northern districts by next spring.",
    "Officials said the plan would add twelve new routes and extend evening service on the busiest lines.",
    "Residents of the northern districts have asked for better connections to the city centre for years.",
    "The council expects the expansion to cost about forty million euros over the next three years.",
    "Opposition members argued that the money would be better spent on repairing the existing tram lines.",
    "A final decision on the timetable is expected after a public consultation in the autumn.",
    "Until then, the transport company will publish draft timetables for each of the new routes.",
    "The consultation will also ask riders which stops they would like to see added or moved.",
];

/// A page in German: a menu before the article that the rule pack only partly knows.
#[test]
fn a_menu_no_rule_knows_is_dropped() {
    let menu = [
        "Startseite",
        "Politik",
        "Wirtschaft",
        "Kultur",
        "Reisen",
        "Wissen",
        "Regional",
        "Meinung",
        "Sport",
        "Panorama",
        "Auto",
        "Digital",
    ];
    let mut page: Vec<&str> = menu.to_vec();
    page.push("");
    for line in ARTICLE {
        page.extend([line, ""]);
    }
    let text = page.join("\n") + "\n";
    let kept_menu = |cleaned: &str| menu.iter().filter(|item| cleaned.lines().any(|line| line == **item)).count();
    let cleaned = cleaner().clean_str(&text);
    for line in ARTICLE {
        assert!(cleaned.text.contains(line), "{line:?} lost: {:?}", cleaned.text);
    }
    assert!(kept_menu(&cleaned.text) <= 2, "{:?}", cleaned.text);
    assert!(cleaned.stats.dropped.iter().any(|r| r.rule == CLASSIFIER_REASON_ID));
    // The rules alone keep most of the menu.
    assert!(kept_menu(&rules_only().clean_str(&text).text) >= 9);
}

/// A copyright line near the top of a short page would drop the rest of it: the rule drops only
/// its own line when what follows holds more prose than the page keeps.
#[test]
fn a_drop_rest_does_not_take_the_article_with_it() {
    let mut page = vec!["Example News", "", "\u{a9} 2024 Example Media. All rights reserved.", ""];
    for line in ARTICLE {
        page.extend([line, ""]);
    }
    let text = page.join("\n") + "\n";
    let cleaned = cleaner().clean_str(&text).text;
    for line in ARTICLE {
        assert!(cleaned.contains(line), "{line:?} lost: {cleaned:?}");
    }
    assert!(!cleaned.contains("All rights reserved"));
}

/// A headline that opens the document stays, even where the classifier alone would not keep it.
#[test]
fn the_headline_at_the_top_stays() {
    let mut page = vec!["Accessibility links", "", "Council Votes to Expand Bus Network North", ""];
    for line in ARTICLE {
        page.extend([line, ""]);
    }
    page.extend(["Share this article", "Advertisement"]);
    let text = page.join("\n") + "\n";
    let cleaned = cleaner().clean_str(&text).text;
    assert!(cleaned.starts_with("Council Votes to Expand Bus Network North\n\nThe city council"), "{cleaned:?}");
    assert_eq!(cleaner().clean_str(&cleaned).text, cleaned);
}

/// A section name alone is a menu entry or a subhead: the rule that drops it needs context, and
/// inside an article the classifier keeps it.
#[test]
fn a_subhead_that_a_menu_rule_would_drop_stays_inside_an_article() {
    let mut page: Vec<&str> = Vec::new();
    for (i, line) in ARTICLE.iter().enumerate() {
        if i == 3 {
            page.extend(["Health", ""]);
        }
        page.extend([line, ""]);
    }
    let text = page.join("\n") + "\n";
    assert!(cleaner().clean_str(&text).text.contains("\nHealth\n"));
    assert!(!rules_only().clean_str(&text).text.contains("\nHealth\n"));
}

/// A document of a few lines gives no context to read: the rules alone decide it.
#[test]
fn short_documents_are_left_to_the_rules() {
    for text in ["Markets rose.\nAdvertisement\nShort line\n", "Title line\n\nFirst paragraph ends here.\n\nLast.\n"] {
        assert_eq!(cleaner().clean_str(text), rules_only().clean_str(text), "{text:?}");
    }
}
