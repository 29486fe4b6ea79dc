using System.Globalization;
using System.Text;
using ConnectPlus.Bench.Workload;

namespace ConnectPlus.Bench.Transactions;

/// <summary>
/// The products bills are made of: a code, a description (some with a comma or a quote, which need
/// CSV quoting) and a price in hundredths. The same for every seed.
/// </summary>
internal sealed class ItemCatalog
{
    private static readonly string[] Products =
    [
        "T-Shirt", "Jeans", "Kurta", "Saree", "Sneakers", "Sandals", "Backpack", "Wallet", "Watch", "Sunglasses",
        "Basmati Rice 5kg", "Toor Dal 1kg", "Sunflower Oil 1L", "Green Tea 100 bags", "Shampoo 340ml",
        "Face Wash", "Headphones", "Power Bank 10000mAh", "Phone Cover", "LED TV 32\"",
    ];

    private static readonly string[] Variants = ["", "", "", ", Blue", ", Black, M", ", White, L", " (Pack of 2)", ", Red"];

    private ItemCatalog(byte[][] codes, byte[][] descriptions, long[] rates)
    {
        Codes = codes;
        Descriptions = descriptions;
        Rates = rates;
    }

    public static ItemCatalog Default { get; } = Create(items: 2_000);

    public byte[][] Codes { get; }

    public byte[][] Descriptions { get; }

    /// <summary>Unit prices in hundredths.</summary>
    public long[] Rates { get; }

    public int Count => Codes.Length;

    private static ItemCatalog Create(int items)
    {
        var codes = new byte[items][];
        var descriptions = new byte[items][];
        var rates = new long[items];
        var random = new SplitMix(20_261_127);
        for (var i = 0; i < items; i++)
        {
            codes[i] = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"SKU{100_000 + (i * 37):D6}"));
            descriptions[i] = Encoding.UTF8.GetBytes(Products[i % Products.Length] + Variants[random.Next(Variants.Length)]);
            // Prices like 499.00 and 1299.00, with now and then an odd one.
            var rupees = (49 + (random.Next(60) * 25)) * (1 + random.Next(4));
            rates[i] = (rupees * 100L) - (random.Chance(0.7) ? 100 : random.Next(100));
        }

        return new ItemCatalog(codes, descriptions, rates);
    }
}
