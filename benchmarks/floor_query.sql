-- The floor: both variant-count marts computed straight from the files with
-- one typed read_json, skipping the bad-line accounting (bad lines are
-- ignored by the reader, not classified). {events_path} is substituted.
with

events as (
    select
        meta.id as meta_id,
        coalesce(try_cast(dt as timestamp), try_cast(meta.dt as timestamp)) as enrolled_at,
        action_source,
        performer.id as user_id,
        mediawiki.database as wiki,
        experiments.assigned as assigned
    from read_json(
        '{events_path}',
        format = 'newline_delimited',
        ignore_errors = true,
        columns = {
            meta: 'STRUCT(id VARCHAR, dt VARCHAR, domain VARCHAR)',
            dt: 'VARCHAR',
            action: 'VARCHAR',
            action_source: 'VARCHAR',
            performer: 'STRUCT(id BIGINT)',
            mediawiki: 'STRUCT(database VARCHAR)',
            experiments: 'STRUCT(assigned MAP(VARCHAR, VARCHAR))'
        }
    )
    where action = 'experiment_enrollment'
        and meta.domain <> 'canary'
        and action_source in ('LocalUserCreatedHook', 'BeforePageDisplayHook')
        and performer.id > 0
        and mediawiki.database <> ''
),

distinct_events as (
    select distinct on (meta_id) *
    from events
),

assignments as (
    select
        case action_source when 'LocalUserCreatedHook' then 'account_creation' else 'page_impression' end as cohort,
        entry.key as experiment,
        wiki,
        user_id,
        entry.value as variant,
        enrolled_at,
        meta_id
    from distinct_events, unnest(map_entries(assigned)) as pairs(entry)
    where entry.value <> '' and enrolled_at is not null
),

units as (
    select
        cohort,
        experiment,
        wiki,
        user_id,
        arg_min(variant, (enrolled_at, meta_id)) as variant,
        count(distinct meta_id) as event_count
    from assignments
    group by all
),

account_creation_counts as (
    select experiment, wiki, variant, count(*) as enrolled_users
    from units
    where cohort = 'account_creation'
    group by all
),

page_impression_counts as (
    select
        pi.experiment,
        pi.wiki,
        pi.variant,
        count(*) as enrolled_users,
        count(ac.user_id) as new_account_users,
        sum(pi.event_count) as impression_events
    from units as pi
    left join units as ac
        on ac.cohort = 'account_creation'
        and pi.experiment = ac.experiment
        and pi.wiki = ac.wiki
        and pi.user_id = ac.user_id
    where pi.cohort = 'page_impression'
    group by all
)

select 'account_creation' as cohort, experiment, wiki, variant, enrolled_users, null as new_account_users,
    null as impression_events
from account_creation_counts
union all
select 'page_impression', experiment, wiki, variant, enrolled_users, new_account_users, impression_events
from page_impression_counts
