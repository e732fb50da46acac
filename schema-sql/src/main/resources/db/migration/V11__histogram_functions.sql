-- SQL over LogHistogram columns (dev.hourglass.avro.LogHistogram): 128 log-scale buckets, four per
-- power of two. Bucket 0 holds values <= 1; bucket i > 0 holds (2^((i-1)/4), 2^(i/4)]. Hourly
-- histograms merge by element-wise sum, so percentiles over any range of hours are exact to the
-- bucket: hg_percentile(hg_merge(duration_histogram), 0.95).

-- The value reported for bucket (0-based): its upper bound 2^(bucket/4). The bounds are the
-- doubles Java's Math.pow returns, written out so that SQL and Java report identical figures.
CREATE FUNCTION hg_upper_bound(bucket integer)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT (ARRAY[
        1.0, 1.189207115002721, 1.4142135623730951, 1.681792830507429, 2.0, 2.378414230005442, 2.8284271247461903, 3.363585661014858,
        4.0, 4.756828460010884, 5.656854249492381, 6.727171322029716, 8.0, 9.513656920021768, 11.313708498984761, 13.454342644059432,
        16.0, 19.027313840043536, 22.627416997969522, 26.908685288118864, 32.0, 38.05462768008707, 45.254833995939045, 53.81737057623773,
        64.0, 76.10925536017415, 90.50966799187809, 107.63474115247546, 128.0, 152.2185107203483, 181.01933598375618, 215.2694823049509,
        256.0, 304.4370214406966, 362.03867196751236, 430.5389646099018, 512.0, 608.8740428813932, 724.0773439350247, 861.0779292198037,
        1024.0, 1217.7480857627863, 1448.1546878700494, 1722.1558584396073, 2048.0, 2435.4961715255727, 2896.309375740099, 3444.3117168792146,
        4096.0, 4870.992343051145, 5792.618751480198, 6888.623433758429, 8192.0, 9741.98468610229, 11585.237502960395, 13777.246867516858,
        16384.0, 19483.96937220458, 23170.47500592079, 27554.493735033717, 32768.0, 38967.93874440916, 46340.95001184158, 55108.98747006743,
        65536.0, 77935.87748881833, 92681.90002368316, 110217.97494013487, 131072.0, 155871.75497763665, 185363.80004736633, 220435.94988026973,
        262144.0, 311743.5099552733, 370727.60009473265, 440871.89976053947, 524288.0, 623487.0199105466, 741455.2001894653, 881743.7995210789,
        1048576.0, 1246974.0398210932, 1482910.4003789306, 1763487.5990421579, 2097152.0, 2493948.0796421864, 2965820.800757861, 3526975.1980843158,
        4194304.0, 4987896.159284373, 5931641.601515722, 7053950.3961686315, 8388608.0, 9975792.318568746, 1.1863283203031445E7, 1.4107900792337263E7,
        1.6777216E7, 1.995158463713749E7, 2.372656640606289E7, 2.8215801584674526E7, 3.3554432E7, 3.990316927427498E7, 4.745313281212578E7, 5.643160316934905E7,
        6.7108864E7, 7.980633854854997E7, 9.490626562425156E7, 1.128632063386981E8, 1.34217728E8, 1.5961267709709993E8, 1.8981253124850312E8, 2.257264126773962E8,
        2.68435456E8, 3.1922535419419986E8, 3.7962506249700624E8, 4.514528253547924E8, 5.36870912E8, 6.384507083883997E8, 7.592501249940125E8, 9.029056507095848E8,
        1.073741824E9, 1.2769014167767994E9, 1.518500249988025E9, 1.8058113014191697E9, 2.147483648E9, 2.553802833553599E9, 3.03700049997605E9, 3.6116226028383393E9
    ]::double precision[])[bucket + 1]
$$;

-- The bucket that counts value (LogHistogram.bucketOf): 0 for values <= 1 (and NaN), the last
-- bucket for everything above its lower bound.
CREATE FUNCTION hg_bucket_of(value double precision)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    lo integer := 1;
    hi integer := 127;
    mid integer;
BEGIN
    -- PostgreSQL orders NaN above every number; Java's comparison is false for NaN.
    IF value = 'NaN'::double precision OR NOT (value > 1) THEN
        RETURN 0;
    END IF;
    WHILE lo < hi LOOP
        mid := (lo + hi) / 2;
        IF value <= hg_upper_bound(mid) THEN
            hi := mid;
        ELSE
            lo := mid + 1;
        END IF;
    END LOOP;
    RETURN lo;
END;
$$;

-- Element-wise sum of two histograms of equal length (also the transition function of hg_merge).
-- The sink can use it to add a correction's delta: hg_add(t.duration_histogram, excluded.duration_histogram).
CREATE FUNCTION hg_add(a bigint[], b bigint[])
RETURNS bigint[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    i integer;
    n integer := cardinality(a);
BEGIN
    IF n <> cardinality(b) THEN
        RAISE EXCEPTION 'Invalid value % for histogram length: must equal %', cardinality(b), n
            USING ERRCODE = 'array_subscript_error';
    END IF;
    -- a is a local copy (an expanded array): assigning its elements is in place, O(1) each.
    FOR i IN 1 .. n LOOP
        a[i] := coalesce(a[i], 0) + coalesce(b[i], 0);
    END LOOP;
    RETURN a;
END;
$$;

-- Element-wise sum of the histograms of a group of rows; NULL rows are skipped, NULL when none.
CREATE AGGREGATE hg_merge(bigint[]) (
    SFUNC = hg_add,
    STYPE = bigint[],
    COMBINEFUNC = hg_add,
    PARALLEL = SAFE
);

-- How many values a histogram counts.
CREATE FUNCTION hg_count(h bigint[])
RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT coalesce(sum(x), 0)::bigint FROM unnest(h) AS x
$$;

-- The nearest-rank q-quantile, 0 < q <= 1, exactly as LogHistogram.percentile: the upper bound of
-- the first bucket whose cumulative count reaches ceil(q * total); NaN for an empty histogram.
CREATE FUNCTION hg_percentile(h bigint[], q double precision)
RETURNS double precision
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    total bigint := 0;
    target bigint;
    seen bigint := 0;
    i integer;
BEGIN
    IF q = 'NaN'::double precision OR NOT (q > 0 AND q <= 1) THEN
        RAISE EXCEPTION 'Invalid value % for quantile: must be in (0, 1]', q
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR i IN 1 .. cardinality(h) LOOP
        total := total + coalesce(h[i], 0);
    END LOOP;
    IF total = 0 THEN
        RETURN 'NaN'::double precision;
    END IF;
    -- The same double arithmetic as Java's Math.ceil(q * total).
    target := ceil(q * total::double precision)::bigint;
    FOR i IN 1 .. cardinality(h) LOOP
        seen := seen + coalesce(h[i], 0);
        IF seen >= target THEN
            RETURN hg_upper_bound(i - 1);
        END IF;
    END LOOP;
    RETURN hg_upper_bound(127);
END;
$$;
