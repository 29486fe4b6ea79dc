using System.Text;

namespace ConnectPlus.Bench.Workload;

/// <summary>
/// The words a workload is made of, as UTF-8 (the CSV writer takes bytes, so nothing is transcoded per
/// row). Mostly Indian names and cities, as for a brand on Capillary's APAC cluster; a few names carry
/// an apostrophe or a non-ASCII letter so that parsers meet them.
/// </summary>
internal static class Vocabulary
{
    public static readonly byte[][] FirstNames = Utf8(
        "Aarav", "Aditi", "Aditya", "Akash", "Amit", "Ananya", "Anil", "Anita", "Anjali", "Arjun",
        "Asha", "Ayesha", "Bhavna", "Chetan", "Deepa", "Deepak", "Divya", "Farhan", "Gaurav", "Geeta",
        "Harish", "Ishaan", "Jaya", "Karan", "Kavya", "Kiran", "Krishna", "Lakshmi", "Manish", "Meena",
        "Mohan", "Neha", "Nikhil", "Nisha", "Pooja", "Pradeep", "Priya", "Rahul", "Raj", "Rajesh",
        "Ravi", "Rekha", "Rohan", "Sachin", "Sana", "Sanjay", "Sara", "Shreya", "Sneha", "Sunil",
        "Suresh", "Tanvi", "Uma", "Varun", "Vijay", "Vikram", "Vinod", "Yash", "Zoya", "Imran",
        "John", "Mary", "David", "Wei", "Mei", "Ahmed", "Fatima", "Omar", "Noor", "José");

    public static readonly byte[][] LastNames = Utf8(
        "Agarwal", "Ahmed", "Bansal", "Bhat", "Chopra", "Das", "Desai", "D'Souza", "Gupta", "Iyer",
        "Jain", "Joshi", "Kapoor", "Khan", "Kumar", "Mehta", "Menon", "Mishra", "Nair", "Patel",
        "Pillai", "Rao", "Reddy", "Saxena", "Shah", "Sharma", "Singh", "Sinha", "Verma", "Yadav",
        "Ghosh", "Bose", "Chatterjee", "Banerjee", "Mukherjee", "Naidu", "Shetty", "Kulkarni", "Pandey", "Tiwari",
        "Chauhan", "Malhotra", "Arora", "Sethi", "Fernandes", "Lee", "Tan", "Wong", "Smith", "O'Brien");

    /// <summary>The first names as they appear in email addresses: lower case, letters a–z only.</summary>
    public static readonly byte[][] EmailFirstNames = [.. FirstNames.Select(EmailForm)];

    /// <summary>The last names as they appear in email addresses.</summary>
    public static readonly byte[][] EmailLastNames = [.. LastNames.Select(EmailForm)];

    public static readonly byte[][] EmailDomains = Utf8(
        "gmail.com", "yahoo.co.in", "hotmail.com", "outlook.com", "rediffmail.com", "icloud.com");

    /// <summary>Cumulative weights of <see cref="EmailDomains"/>.</summary>
    public static readonly double[] EmailDomainWeights = [0.70, 0.80, 0.88, 0.94, 0.97, 1.0];

    public static readonly byte[][] Cities = Utf8(
        "MUM", "DEL", "BLR", "HYD", "CHE", "KOL", "PUN", "AHM", "JAI", "LKO", "CHD", "KOC", "IND", "NAG", "SUR");

    /// <summary>Store codes such as BLR_014 (the till's store), shared by members and bills.</summary>
    public static readonly byte[][] Stores = CreateStores(stores: 240);

    /// <summary>Loyalty tiers, lowest first.</summary>
    public static readonly byte[][] Slabs = Utf8("BASE", "SILVER", "GOLD", "PLATINUM");

    /// <summary>Cumulative weights of the members' current tier.</summary>
    public static readonly double[] SlabWeights = [0.55, 0.83, 0.96, 1.0];

    private static byte[][] CreateStores(int stores)
    {
        var codes = new byte[stores][];
        for (var i = 0; i < stores; i++)
        {
            var city = Encoding.ASCII.GetString(Cities[i % Cities.Length]);
            codes[i] = Encoding.ASCII.GetBytes($"{city}_{(i / Cities.Length) + 1:D3}");
        }

        return codes;
    }

    private static byte[] EmailForm(byte[] name)
    {
        var text = Encoding.UTF8.GetString(name).Replace('é', 'e').ToLowerInvariant();
        return Encoding.ASCII.GetBytes(text.Where(char.IsAsciiLetterLower).ToArray());
    }

    private static byte[][] Utf8(params string[] words) => [.. words.Select(Encoding.UTF8.GetBytes)];
}
