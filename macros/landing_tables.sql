{#
  Make the landed tables visible to the engine before any model reads them (on-run-start).

  DuckDB: nothing to do, ingestion writes schema raw into the warehouse file itself.
  Spark: ingestion publishes each raw table as Parquet under $SOFTSPAM_SPARK_DIR/raw/<table>;
  they are (re)declared as external tables of database raw, so every run reads the files of
  that run (Spark caches a table's file listing, a dropped and re-created table does not).
#}
{% macro register_landing_tables() -%}
    {{ return(adapter.dispatch('register_landing_tables', 'softspam')()) }}
{%- endmacro %}

{% macro default__register_landing_tables() -%}
{%- endmacro %}

{% macro spark__register_landing_tables() -%}
    {%- if execute -%}
        {%- set root = env_var('SOFTSPAM_SPARK_DIR', 'warehouse/spark') ~ '/raw' -%}
        {%- do run_query('create database if not exists raw') -%}
        {%- for source in graph.sources.values() if source.schema == 'raw' -%}
            {%- do run_query('drop table if exists raw.' ~ source.identifier) -%}
            {%- do run_query(
                'create table raw.' ~ source.identifier ~ ' using parquet location '
                ~ "'" ~ root ~ '/' ~ source.identifier ~ "'"
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
