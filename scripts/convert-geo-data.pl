#!/usr/bin/perl
# Turn ip-location-db's published data into MaxMind DB files in the layouts
# fluxguard reads (core/geo.c), for scripts/install-geo-data.sh:
#
#   convert-geo-data.pl asn OUT.mmdb EPOCH DESCRIPTION CSV...
#       CSV rows `ip_range_start,ip_range_end,autonomous_system_number,
#       autonomous_system_organization` (inclusive ranges of IPv4 or IPv6
#       text, the organisation quoted when it holds a comma) become the
#       GeoLite2-ASN layout: autonomous_system_number (uint32),
#       autonomous_system_organization (utf8_string). The CSV carries no date,
#       so the caller gives the data's build time as EPOCH.
#   convert-geo-data.pl country OUT.mmdb DESCRIPTION IN.mmdb
#       IN's records, ip-location-db's flat { country_code => "US" } (or
#       already { country => { iso_code => "US" } }), become the
#       GeoLite2-Country layout: country.iso_code. OUT keeps IN's build_epoch.
#
# The build time is the data's, never the conversion's: geo-max-age judges
# how old the networks are, not how old the file is. The database_type says
# what the file is ("ip-location-db-ASN (compat=GeoLite2-ASN)", as DB-IP
# names its own), and DESCRIPTION carries the source and its attribution.
# One pass over the input, one tree, one write: a first run takes seconds.
# Any row or record that does not parse stops the conversion, naming it: a
# changed upstream format must not turn into a silently wrong database.
#
# Needs MaxMind::DB::Writer (Debian: libmaxmind-db-writer-perl) and, for
# country, MaxMind::DB::Reader::XS (libmaxmind-db-reader-xs-perl).
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my $mode = shift // '';

# A tree in the writer's usual settings for an IPv6 database with IPv4
# aliased into it (as MaxMind's own), reserved networks left out.
sub new_tree {
    my ($type, $description, $types, $epoch) = @_;
    my $tree = MaxMind::DB::Writer::Tree->new(
        ip_version               => 6,
        record_size              => 24,
        database_type            => $type,
        languages                => ['en'],
        description              => { en => $description },
        map_key_type_callback    => sub { $types->{ $_[0] } },
        remove_reserved_networks => 1,
        alias_ipv6_to_ipv4       => 1,
    );
    # The writer has no public way to date a tree; this is the hook its own
    # tests use.
    $tree->_set_build_epoch($epoch);
    return $tree;
}

# Insert, counting what the writer refuses because it lies in a range that
# aliases IPv4 (Teredo 2001::/32, 6to4 2002::/16): those answer from the
# IPv4 data. Anything else it refuses is fatal.
my $aliased = 0;
sub insert {
    my ($what, $insert) = @_;
    return if eval { $insert->(); 1 };
    if ($@ =~ /aliased network/) {
        $aliased++;
        return;
    }
    die "$what: $@";
}

sub write_tree {
    my ($tree, $out) = @_;
    open my $fh, '>:raw', $out or die "$out: $!\n";
    $tree->write_tree($fh);
    close $fh or die "$out: $!\n";
}

if ($mode eq 'asn') {
    my ($out, $epoch, $description, @csv) = @ARGV;
    die "usage: $0 asn OUT.mmdb EPOCH DESCRIPTION CSV...\n"
        unless @csv && $epoch =~ /^\d+$/;
    my $tree = new_tree('ip-location-db-ASN (compat=GeoLite2-ASN)',
        $description, {
            autonomous_system_number       => 'uint32',
            autonomous_system_organization => 'utf8_string',
        }, $epoch);
    my $rows = 0;
    for my $file (@csv) {
        open my $fh, '<:encoding(UTF-8)', $file or die "$file: $!\n";
        while (my $line = <$fh>) {
            $line =~ s/\r?\n\z//;
            my ($first, $last, $asn, $org) =
                $line =~ /\A([0-9A-Fa-f.:]+),([0-9A-Fa-f.:]+),(\d+),(.*)\z/
                or die "$file:$.: not start,end,asn,organisation: $line\n";
            die "$file:$.: AS number out of range: $asn\n"
                if $asn > 4294967295;
            # RFC 4180 quoting: "LLC ""SPUTNIK""" is LLC "SPUTNIK"
            if ($org =~ /\A"(.*)"\z/s) {
                ($org = $1) =~ s/""/"/g;
            }
            insert("$file:$.", sub {
                $tree->insert_range($first, $last, {
                    autonomous_system_number       => $asn + 0,
                    autonomous_system_organization => $org,
                });
            });
            $rows++;
        }
        close $fh;
    }
    die "no rows in @csv\n" unless $rows;
    write_tree($tree, $out);
    print "convert-geo-data: $out: $rows ranges ($aliased in IPv6 ranges "
        . "that alias IPv4 left out)\n";
} elsif ($mode eq 'country') {
    my ($out, $description, $in) = @ARGV;
    die "usage: $0 country OUT.mmdb DESCRIPTION IN.mmdb\n" unless $in;
    require MaxMind::DB::Reader::XS;
    require Math::Int128;
    my $reader = MaxMind::DB::Reader::XS->new(file => $in);
    my $v4 = $reader->metadata->ip_version == 4;
    my $tree = new_tree('ip-location-db-Country (compat=GeoLite2-Country)',
        $description, {
            country  => 'map',
            iso_code => 'utf8_string',
        }, $reader->metadata->build_epoch);
    my $records = 0;
    $reader->iterate_search_tree(sub {
        my ($ipnum, $plen, $data) = @_;
        # an IPv4 database gives 32-bit numbers, an IPv6 one 128-bit
        # numbers, written here as eight groups: unambiguous for the writer
        my $net = $v4
            ? join('.', unpack 'C4', pack 'N', $ipnum) . "/$plen"
            : join(':', unpack '(A4)8',
                sprintf '%032s', Math::Int128::uint128_to_hex($ipnum))
              . "/$plen";
        my $cc = ref $data eq 'HASH'
            ? $data->{country_code} // ($data->{country} // {})->{iso_code}
            : undef;
        die "$in: $net: neither country_code nor country.iso_code is a "
            . "two-letter code\n" unless defined $cc && $cc =~ /\A[A-Z]{2}\z/;
        insert("$in: $net", sub {
            $tree->insert_network($net, { country => { iso_code => $cc } });
        });
        $records++;
    }, sub {});
    die "$in: no networks\n" unless $records;
    write_tree($tree, $out);
    print "convert-geo-data: $out: $records networks ($aliased in IPv6 "
        . "ranges that alias IPv4 left out)\n";
} else {
    die "usage: $0 asn|country OUT.mmdb ...\n";
}
