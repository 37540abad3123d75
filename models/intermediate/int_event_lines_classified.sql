{{ config(meta={'uncompressed_columns': ['raw_line_md5', 'meta_id']}) }}
-- One row per raw line read by this run: the wiki, enrollment time, cohort
-- and assignments it resolves to, and the first rule it breaks (null when it
-- is accepted). Only rejected lines keep their text; accepted ones keep its
-- md5. The fields only the rules read stay in the staging view: each column
-- kept here is written for every line read.
with

event_lines as (
    select * from {{ ref('stg_growth_product_interaction__event_lines') }}
),

project_domains as (
    select * from {{ ref('wikimedia_project_domains') }}
),

domain_wikis as (
    select * from {{ ref('wikimedia_domain_wikis') }}
),

domain_parts as (
    -- rule 2, only for lines without mediawiki.database:
    -- pt.wikipedia.org and pt.m.wikipedia.org -> language pt, project wikipedia.org
    -- (m.wikipedia.org -> language m: no wiki)
    select
        *,
        case
            when coalesce(wiki_database, '') = ''
                then regexp_extract(meta_domain, '^([a-z0-9-]+)[.](m[.])?[a-z0-9.-]+$', 1)
        end as domain_language,
        case
            when coalesce(wiki_database, '') = ''
                then regexp_extract(meta_domain, '^[a-z0-9-]+[.](m[.])?([a-z0-9.-]+)$', 2)
        end as domain_project
    from event_lines
),

resolved as (
    select
        domain_parts.source_file,
        domain_parts.raw_line,
        domain_parts.line_error,
        domain_parts.is_json_object,
        nullif(domain_parts.meta_id, '') as meta_id,
        domain_parts.meta_domain,
        domain_parts.schema_uri,
        domain_parts.action,
        domain_parts.action_source,
        domain_parts.performer_id as user_id,
        case
            when domain_parts.wiki_database <> '' then domain_parts.wiki_database
            -- the seed's exceptions (be-tarask is be_x_oldwiki) first
            when domain_wikis.wiki is not null then domain_wikis.wiki
            -- else only a language part shaped like a language code (not m,
            -- the mobile site alone; not www, the portal): never guess
            when
                domain_parts.domain_language not in ('', 'www')
                and regexp_extract(domain_parts.domain_language, '^[a-z]{2,3}(-[a-z0-9]+)*$', 0)
                = domain_parts.domain_language
                then replace(domain_parts.domain_language, '-', '_') || project_domains.database_suffix
        end as wiki,
        -- rule 3: dt, else meta.dt (read only where dt is not a timestamp)
        coalesce(
            {{ parse_iso_timestamp('domain_parts.event_dt') }},
            {{ parse_iso_timestamp('domain_parts.meta_dt') }}
        ) as enrolled_at,
        {{ usable_assignments(
            'domain_parts.assigned_experiments',
            'domain_parts.experiment_enrolled',
            'domain_parts.experiment_assigned'
        ) }} as assignments,
        -- the singular `experiment` object as given, when complete: the
        -- health checks compare it with the map (int_event_assignments_unnested)
        case
            when domain_parts.experiment_enrolled <> '' and domain_parts.experiment_assigned <> ''
                then domain_parts.experiment_enrolled
        end as singular_experiment,
        case
            when domain_parts.experiment_enrolled <> '' and domain_parts.experiment_assigned <> ''
                then domain_parts.experiment_assigned
        end as singular_variant,
        case
            when domain_parts.experiment_enrolled <> '' and domain_parts.experiment_assigned <> ''
                then nullif(domain_parts.experiment_coordinator, '')
        end as singular_coordinator
    from domain_parts
    left join project_domains
        on domain_parts.domain_project = project_domains.project_domain
    left join domain_wikis
        on
            domain_parts.domain_project = domain_wikis.project_domain
            and domain_parts.domain_language = domain_wikis.domain_language
),

classified as (
    select
        *,
        case
            when line_error = 'line_too_long' then 'line_too_long'
            when line_error is not null or not is_json_object then 'malformed_json'
            when meta_domain = 'canary' then 'canary'
            when coalesce(action <> 'experiment_enrollment', true) then 'not_enrollment_action'
            when coalesce(action_source not in ('LocalUserCreatedHook', 'BeforePageDisplayHook'), true)
                then 'unknown_action_source'
            when coalesce(user_id <= 0, true) then 'missing_user_id'
            when wiki is null then 'unresolved_wiki'
            when {{ list_length('assignments') }} = 0 then 'missing_assignment'
            when enrolled_at is null then 'missing_timestamp'
        end as rejection_reason
    from resolved
),

hashed as (
    select
        *,
        case when rejection_reason is null then md5(raw_line) end as raw_line_md5
    from classified
),

final as (
    select
        source_file,
        case
            -- the start of an over-long line is enough to find it
            when rejection_reason = 'line_too_long' then substring(raw_line, 1, 10000)
            when rejection_reason is not null then raw_line
        end as raw_line,
        raw_line_md5,
        meta_id,
        user_id,
        wiki,
        enrolled_at,
        assignments,
        singular_experiment,
        singular_variant,
        singular_coordinator,
        rejection_reason,
        case action_source
            when 'LocalUserCreatedHook' then 'account_creation'
            when 'BeforePageDisplayHook' then 'page_impression'
        end as cohort
    from hashed
)

select * from final
