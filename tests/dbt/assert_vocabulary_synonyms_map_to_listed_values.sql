-- Every word of seeds/vocabulary is read as a value the landing contract lists in that
-- vocabulary (a row with tool `landing contract` and word = value), and means one value.
with words as (
    select
        vocabulary,
        {{ vocabulary_key('word') }} as word,
        word as written_word,
        value,
        tool
    from {{ ref('vocabulary') }}
    where word != '*'
),

listed as (
    select
        vocabulary,
        value
    from words
    where tool = 'landing contract' and trim(written_word) = value
),

unlisted as (
    select
        words.vocabulary,
        words.word,
        'maps to ' || words.value || ', which is not listed' as problem
    from words
    anti join listed
        on words.vocabulary = listed.vocabulary and words.value = listed.value
),

ambiguous as (
    select
        vocabulary,
        word,
        'means ' || string_agg(distinct value, ' and ') as problem
    from words
    group by vocabulary, word
    having count(distinct value) > 1
)

select * from unlisted
union all
select * from ambiguous
