{%- set watermark = recomputed_watermark() -%}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_recomputed_users() }}",
) }}
-- One row per (experiment, wiki, user) enrolled in both cohorts (every unit
-- of int_enrollments_first_per_user, whatever multi_variant_policy says: this
-- model describes the data, not the counts), with the two units' variants
-- and first enrollment times, and the conflicts between them: the
-- page-impression variant differs from the account-creation variant, or the
-- first page impression is earlier than the account's creation (such a user
-- still counts as a new account in the page-impression marts).
-- Incremental on DuckDB, per user, like int_enrollments_first_per_user.
-- depends_on: {{ ref('int_enrollment_users_changed') }}
with

enrollments as (
    select * from {{ ref('int_enrollments_first_per_user') }} as enrollments  -- noqa: AL05
    {% if is_incremental() %}
        where {{ is_user_recomputed_since('enrollments', watermark) }}
    {% endif %}
),

account_creation_units as (
    select * from enrollments
    where cohort = 'account_creation'
),

page_impression_units as (
    select * from enrollments
    where cohort = 'page_impression'
),

compared as (
    select
        account_creation_units.experiment,
        account_creation_units.wiki,
        account_creation_units.user_id,
        account_creation_units.variant as account_creation_variant,
        page_impression_units.variant as page_impression_variant,
        account_creation_units.enrolled_at as account_created_at,
        page_impression_units.enrolled_at as first_impression_at,
        account_creation_units.variant <> page_impression_units.variant as is_variant_conflict,
        page_impression_units.enrolled_at < account_creation_units.enrolled_at as is_impression_before_creation,
        {{ run_started_timestamp() }} as computed_at
    from account_creation_units
    inner join page_impression_units
        on
            account_creation_units.experiment = page_impression_units.experiment
            and account_creation_units.wiki = page_impression_units.wiki
            and account_creation_units.user_id = page_impression_units.user_id
)

select * from compared
